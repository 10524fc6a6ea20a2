"""outbox delivery notices

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:00:00

Messages are retried for OUTBOX_RETRY_HOURS; while a create waits for an unreachable hotline
its deputy is told once, and again when it arrives; a dead letter is announced to the admins
once. These columns record that each notice went out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ('delay_notified_at', 'arrival_notified_at', 'dead_notified_at')


def upgrade() -> None:
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
