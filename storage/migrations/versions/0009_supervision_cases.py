"""supervision cases (人大督)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:40:00

The 督办 desk of the 代表工委: one case per report that needs the congress's attention, with
the reasons it was detected for, and its own history of notices, contacts and hand-overs.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'supervision_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('assignee', sa.String(length=64), nullable=True),
        sa.Column('new_deadline', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.Text(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id']),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('report_id'),
    )
    op.create_index('ix_supervision_cases_state', 'supervision_cases', ['state'])
    op.create_index('ix_supervision_cases_created_at', 'supervision_cases', ['created_at'])
    op.create_index('ix_supervision_cases_department_id', 'supervision_cases', ['department_id'])
    op.create_table(
        'supervision_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('author', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['supervision_cases.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_supervision_notes_case_id', 'supervision_notes', ['case_id'])


def downgrade() -> None:
    op.drop_index('ix_supervision_notes_case_id', table_name='supervision_notes')
    op.drop_table('supervision_notes')
    op.drop_index('ix_supervision_cases_department_id', table_name='supervision_cases')
    op.drop_index('ix_supervision_cases_created_at', table_name='supervision_cases')
    op.drop_index('ix_supervision_cases_state', table_name='supervision_cases')
    op.drop_table('supervision_cases')
