"""records that left a place: what pull tells the devices there to drop

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

When a record's location changes (a child moved to another district, an inspection whose
institution was corrected), the devices of the place it left must drop it. Each move is a row
with the record's former location and the sync sequence of the write that moved it, so a
device's pull cursor covers departures as it covers records.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "record_departures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=True),
        sa.Column("district", sa.String(length=4), nullable=True),
        sa.Column("commune", sa.String(length=6), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_departures")),
    )
    op.create_index("ix_record_departures_seq_record_id", "record_departures", ["seq", "record_id"])


def downgrade() -> None:
    op.drop_index("ix_record_departures_seq_record_id", table_name="record_departures")
    op.drop_table("record_departures")
