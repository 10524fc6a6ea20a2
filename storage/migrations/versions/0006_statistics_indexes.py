"""console statistics indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 12:00:00

The statistics and routing-quality pages filter by a department, a district or a review status
and a date range; these composite indexes let such a query seek to its range instead of
reading every row of the table.
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ('tickets', 'ix_tickets_department_created', ['department_id', 'created_at']),
    ('reports', 'ix_reports_district_created', ['district_id', 'created_at']),
    ('routing_decisions', 'ix_routing_decisions_review_created', ['review_status', 'created_at']),
]


def upgrade() -> None:
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
