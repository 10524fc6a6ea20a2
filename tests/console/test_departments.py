"""The department directory: viewers read it; admins' edits are versioned and audited."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage.models import Department, DepartmentVersion
from tests.console.conftest import ConsoleServer, Login, page, post_form


async def _id_of(server: ConsoleServer, code: str) -> int:
    async with server.uow_factory() as uow:
        department = await uow.directory.department(code)
        assert department is not None
        return department.id


def _form(**changes: str) -> dict[str, str]:
    form = {
        "name": "邵阳市住房和城乡建设局",
        "category": "城建",
        "aliases": "",
        "keywords": "",
        "duty": "",
        "active": "on",
    }
    form.update(changes)
    return form


async def test_viewer_reads_the_directory_but_cannot_edit(
    console_server: ConsoleServer, login: Login
) -> None:
    department_id = await _id_of(console_server, "ZJ")
    http = await login("viewer")
    status, html = await page(http, console_server.url("/departments"))
    assert status == 200 and 'id="department-ZJ"' in html and "new-department" not in html
    status, html = await page(http, console_server.url(f"/departments/{department_id}"))
    assert status == 200 and 'id="form-department"' not in html
    detail = console_server.url(f"/departments/{department_id}")
    status, _ = await post_form(http, detail, _form(name="改名"), csrf_from=detail)
    assert status == 403
    async with console_server.uow_factory() as uow:
        department = await uow.session.get(Department, department_id)
        assert department is not None and department.name == "邵阳市住房和城乡建设局"


async def test_edit_is_versioned_and_audited_before_to_after(
    console_server: ConsoleServer, login: Login
) -> None:
    department_id = await _id_of(console_server, "ZJ")
    http = await login("admin", username="boss")
    detail = console_server.url(f"/departments/{department_id}")
    status, html = await post_form(
        http,
        detail,
        _form(aliases="住建局\n市住建局", keywords="物业、 房屋维修\n物业", duty="住房保障"),
        csrf_from=detail,
    )
    assert status == 200 and "已保存“邵阳市住房和城乡建设局”（第 2 版）" in html
    assert "住建局\n市住建局</textarea>" in html
    async with console_server.uow_factory() as uow:
        department = await uow.session.get(Department, department_id)
        assert department is not None and department.version == 2
        assert department.aliases == ["住建局", "市住建局"]
        assert department.keywords == ["物业", "房屋维修"]
        versions = list(
            await uow.session.scalars(
                select(DepartmentVersion).order_by(DepartmentVersion.version)
            )
        )
        assert [(v.version, v.edited_by, v.keywords) for v in versions] == [
            (1, "system", []),
            (2, "console:boss", ["物业", "房屋维修"]),
        ]
        [audit] = await uow.audit.by_action("department.update")
        assert audit.actor == "console:boss" and audit.entity_id == str(department_id)
        assert audit.before == {"aliases": [], "keywords": [], "duty": "", "version": 1}
        assert audit.after == {
            "aliases": ["住建局", "市住建局"],
            "keywords": ["物业", "房屋维修"],
            "duty": "住房保障",
            "version": 2,
        }

    status, html = await post_form(
        http,
        detail,
        _form(
            name="邵阳市住建局",
            duty="住房保障",
            aliases="住建局\n市住建局",
            keywords="物业\n房屋维修",
            active="",
        ),
        csrf_from=detail,
    )
    assert status == 200 and "第 3 版" in html
    status, html = await page(http, detail + "/versions")
    assert status == 200 and 'id="version-3"' in html and 'id="version-1"' in html
    assert "console:boss" in html and "名称" in html and "停用" in html


async def test_edit_without_changes_or_with_bad_input_is_refused(
    console_server: ConsoleServer, login: Login
) -> None:
    department_id = await _id_of(console_server, "ZJ")
    http = await login("admin")
    detail = console_server.url(f"/departments/{department_id}")
    for form, expected in [
        (_form(), "没有任何修改"),
        (_form(name=""), "单位名称不能为空"),
        (_form(keywords="长" * 65), "关键词过长（最多 64 个字）"),
    ]:
        status, html = await post_form(http, detail, form, csrf_from=detail)
        assert status == 400 and expected in html
    async with console_server.uow_factory() as uow:
        assert not list(await uow.session.scalars(select(DepartmentVersion)))
        assert not await uow.audit.by_action("department.update")


async def test_admin_adds_a_department(console_server: ConsoleServer, login: Login) -> None:
    http = await login("admin")
    new = console_server.url("/departments/new")
    status, html = await post_form(
        http,
        new,
        {**_form(name="邵阳市水利局", category="水利", keywords="河道"), "code": "sl"},
        csrf_from=new,
    )
    assert status == 200 and "已新增承办单位“邵阳市水利局”" in html
    form = _form(name="重复")
    status, html = await post_form(http, new, {**form, "code": "ZJ"}, csrf_from=new)
    assert status == 400 and "已存在" in html
    status, html = await post_form(http, new, {**form, "code": "bad code!"}, csrf_from=new)
    assert status == 400 and "单位代码须为" in html
    async with console_server.uow_factory() as uow:
        created = (
            await uow.session.scalars(select(Department).where(Department.name == "邵阳市水利局"))
        ).one()
        assert (created.code, created.keywords, created.version) == ("SL", ["河道"], 1)
        assert len(await uow.audit.by_action("department.create")) == 1


async def test_the_first_version_is_dated_when_the_directory_was_loaded(
    console_server: ConsoleServer, login: Login
) -> None:
    department_id = await _id_of(console_server, "ZJ")
    loaded = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    async with console_server.uow_factory() as uow:
        department = await uow.session.get(Department, department_id)
        assert department is not None
        department.updated_at = loaded  # seeded long before anyone edits it
        await uow.commit()
    http = await login("admin", username="boss")
    detail = console_server.url(f"/departments/{department_id}")
    await post_form(http, detail, _form(duty="住房保障"), csrf_from=detail)
    async with console_server.uow_factory() as uow:
        first = await uow.session.scalar(
            select(DepartmentVersion).where(DepartmentVersion.version == 1)
        )
    assert first is not None and first.created_at.replace(tzinfo=UTC) == loaded
    _, html = await page(http, detail + "/versions")
    assert "2026-03-01 16:00" in html and "目录导入" in html  # China time, who loaded it
