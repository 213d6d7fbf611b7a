"""retired forms: a form taken out of the field without losing its data

Revision ID: 0012d
Revises: 0012b
Create Date: 2026-12-07

One row per retired form_id: it is no longer listed to fill and takes no new record; its
versions and records stay, and edits of its existing records are still accepted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012d"
down_revision: str | None = "0012b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retired_forms",
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("form_id", name=op.f("pk_retired_forms")),
    )


def downgrade() -> None:
    op.drop_table("retired_forms")
