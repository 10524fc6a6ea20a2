"""hotline deadlines and recurrence

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENTS = (
    'extension_requested_at',
    'accept_warned_for',
    'due_warned_for',
    'accept_overdue_for',
    'due_overdue_for',
    'recurrence_asked_at',
)


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for name in _MOMENTS:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('recurrence_answer', sa.String(length=8), nullable=True))
        # Existing tickets have never recurred.
        batch_op.add_column(
            sa.Column('recurrence_count', sa.Integer(), nullable=False, server_default='0')
        )


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('recurrence_count')
        batch_op.drop_column('recurrence_answer')
        for name in reversed(_MOMENTS):
            batch_op.drop_column(name)
