"""The outbox worker: delivers queued hotline messages, with back-off and dead letters."""

from bot.hotline.outbox.worker import OutboxWorker

__all__ = ["OutboxWorker"]
