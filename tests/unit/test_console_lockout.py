"""The console's lock-out holds under parallel guessing, on SQLite and PostgreSQL: of 40
parallel wrong logins exactly five check a password, the account locks, and the right password
is refused while it is locked. Usernames compare regardless of case and width."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.services.console.auth import (
    AccountProblem,
    ConsoleAuthError,
    ConsoleAuthService,
    LoginProblem,
    LoginResult,
)
from storage.bootstrap import open_database
from storage.models import AuditLog
from storage.uow import UnitOfWorkFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture
async def accounts(sqlite_or_postgres_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    engine, uow_factory = await open_database(sqlite_or_postgres_url)
    async with uow_factory() as uow:
        await ConsoleAuthService(uow).create_user("zhao", PASSWORD, "operator", actor="test")
    yield uow_factory
    await engine.dispose()


async def _login(uow_factory: UnitOfWorkFactory, username: str, password: str) -> LoginResult:
    async with uow_factory() as uow:
        return await ConsoleAuthService(uow).login(username, password)


async def _password_checks(uow_factory: UnitOfWorkFactory) -> list[str]:
    async with uow_factory() as uow:
        rows = await uow.session.scalars(select(AuditLog.action).order_by(AuditLog.id))
    return [a for a in rows if a in ("console.login_failed", "console.locked", "console.login")]


async def test_forty_parallel_wrong_logins_check_five_passwords_and_lock(
    accounts: UnitOfWorkFactory,
) -> None:
    results = await asyncio.gather(*(_login(accounts, "zhao", "wrong") for _ in range(40)))
    assert all(result.token is None for result in results)
    checks = await _password_checks(accounts)
    assert len(checks) == 5 and checks.count("console.locked") == 1
    assert sum(result.error is LoginProblem.LOCKED for result in results) == 36
    right = await _login(accounts, "zhao", PASSWORD)
    assert right.token is None and right.error is LoginProblem.LOCKED


async def test_a_lock_that_runs_out_gives_five_more_checks_not_more(
    accounts: UnitOfWorkFactory,
) -> None:
    await asyncio.gather(*(_login(accounts, "zhao", "wrong") for _ in range(40)))
    async with accounts() as uow:
        user = await uow.console.user_by_name("zhao")
        assert user is not None and user.locked_until is not None
        user.locked_until = user.locked_until.replace(year=2000)  # the lock has run out
        await uow.commit()
    await asyncio.gather(*(_login(accounts, "zhao", "wrong") for _ in range(40)))
    checks = await _password_checks(accounts)
    assert len(checks) == 10 and checks.count("console.locked") == 2
    assert (await _login(accounts, "zhao", PASSWORD)).error is LoginProblem.LOCKED


async def test_usernames_compare_regardless_of_case_width_and_spaces(
    accounts: UnitOfWorkFactory,
) -> None:
    async with accounts() as uow:
        with pytest.raises(ConsoleAuthError) as taken:
            await ConsoleAuthService(uow).create_user("ZHAO", PASSWORD, "viewer", actor="test")
    assert taken.value.reason is AccountProblem.USERNAME_TAKEN
    for typed in ("Zhao", " zhao ", "ｚｈａｏ"):
        assert (await _login(accounts, typed, PASSWORD)).token is not None, typed
