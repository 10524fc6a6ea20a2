"""The unit of work tells an in-process outbox worker about every commit that queued a message."""

from __future__ import annotations

from storage.models import OutboxKind, OutboxMessage
from storage.uow import UnitOfWorkFactory


def _message(key: str) -> OutboxMessage:
    return OutboxMessage(kind=OutboxKind.URGE, idempotency_key=key, payload={"note": "催办"})


async def test_a_commit_that_queued_a_message_wakes_the_worker_even_after_an_early_flush(
    uow_factory: UnitOfWorkFactory,
) -> None:
    woken: list[int] = []
    uow_factory.on_outbox = lambda: woken.append(1)
    async with uow_factory() as uow:
        uow.session.add(_message("a"))
        await uow.session.flush()  # as a repository does to learn ids: `session.new` is empty now
        await uow.commit()
    assert woken == [1]

    async with uow_factory() as uow:  # nothing queued: no wake
        await uow.commit()
    async with uow_factory() as uow:  # queued, then rolled back: no wake
        uow.session.add(_message("b"))
        await uow.session.flush()
        await uow.rollback()
        await uow.commit()
    assert woken == [1]
