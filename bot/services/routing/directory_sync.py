"""Seeds the database's department and district tables from the shipped directory files.

Rows admins already have are left alone (their edits win); new units and districts are added."""

from __future__ import annotations

from classifiers import Directory
from storage.models import Department, District
from storage.uow import UnitOfWork


async def sync_directory(uow: UnitOfWork, directory: Directory) -> int:
    added = 0
    districts = await uow.directory.districts_by_name()
    for info in directory.districts:
        if info.name not in districts:
            uow.directory.add(District(code=info.code, name=info.name, towns=list(info.towns)))
            added += 1
    departments = await uow.directory.departments_by_code()
    for dept in directory.departments:
        if dept.code not in departments:
            uow.directory.add(
                Department(
                    code=dept.code,
                    name=dept.name,
                    aliases=list(dept.aliases),
                    keywords=list(dept.keywords),
                    duty=dept.duty,
                    category=dept.category,
                )
            )
            added += 1
    if added:
        uow.audit.record("system", "directory.sync", entity="directory", after={"added": added})
        await uow.commit()
    return added
