"""each placement step records the revision it acted on

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

A placement step (authorize, certify, decline, reopen) now keeps the record's revision it
approved: a later change to what was approved sends the chain back to ``recommended`` (a
``reopen`` step) and the trail shows which revision each step saw. Earlier steps have none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("placement_steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rev", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("placement_steps", schema=None) as batch_op:
        batch_op.drop_column("rev")
