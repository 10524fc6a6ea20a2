"""catalogue matter versions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:00:00

Admin edits of the 派单目录 are kept as versions over the shipped JSON seed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'catalogue_matter_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('matter_id', sa.String(length=32), nullable=False),
        sa.Column('unit', sa.String(length=32), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('document', sa.JSON(), nullable=True),
        sa.Column('edited_by', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('matter_id', 'version'),
    )
    op.create_index(
        'ix_catalogue_matter_versions_matter_id', 'catalogue_matter_versions', ['matter_id']
    )


def downgrade() -> None:
    op.drop_index('ix_catalogue_matter_versions_matter_id', 'catalogue_matter_versions')
    op.drop_table('catalogue_matter_versions')
