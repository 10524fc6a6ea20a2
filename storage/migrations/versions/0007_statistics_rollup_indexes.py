"""statistics roll-up indexes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 20:30:00

The 三率 roll-up keeps each month's figures between page views and asks, on each view, which
tickets, reports and ratings were written lately; these indexes answer that without a scan.
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ('tickets', 'ix_tickets_updated_at', ['updated_at']),
    ('reports', 'ix_reports_updated_at', ['updated_at']),
    ('ratings', 'ix_ratings_created_at', ['created_at']),
]


def upgrade() -> None:
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
