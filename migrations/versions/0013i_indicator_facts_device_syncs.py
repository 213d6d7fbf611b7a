"""indicator facts, device syncs, password change: the indicators' fields as plain columns;
each device's last push and last pull; a reset password changed at the next desk sign-in

Revision ID: 0013i
Revises: 0012d
Create Date: 2026-12-07

``indicator_facts`` holds, per record of the six forms the indicators count, the few fields
they read as plain columns (days as ``yyyymmdd`` integers); app/indicators/facts.py fills it
from the records written since the ``seq`` kept in ``meta`` (``indicator_facts_seq``), so
nothing is backfilled here: the first refresh reads every record once (``homeward migrate``
does it). ``device_syncs`` keeps each (user, device)'s last push and last pull, so the users'
and devices' pages read one small table instead of every change; pushes are backfilled from
``sync_changes``. ``users.must_change_password`` is set when an administrator resets a
password: the desk asks that user for a new one before any page.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013i"
down_revision: str | None = "0012d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL_PUSHES = """
INSERT INTO device_syncs (username, device_id, last_push_at)
SELECT actor, COALESCE(device_id, ''), MAX(received_at) FROM sync_changes
WHERE actor IS NOT NULL GROUP BY actor, COALESCE(device_id, '')
"""


def upgrade() -> None:
    op.create_table(
        "indicator_facts",
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("province", sa.String(length=8), nullable=True),
        sa.Column("district", sa.String(length=8), nullable=True),
        sa.Column("commune", sa.String(length=8), nullable=True),
        sa.Column("subject", sa.String(length=36), nullable=True),
        sa.Column("day", sa.Integer(), nullable=True),
        sa.Column("answer", sa.String(length=64), nullable=True),
        sa.Column("other_day", sa.Integer(), nullable=True),
        sa.Column("extra", sa.String(length=64), nullable=True),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("born", sa.Integer(), nullable=True),
        sa.Column("disability", sa.String(length=16), nullable=True),
        sa.Column("admitted", sa.Integer(), nullable=True),
        sa.Column("opened", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("closed", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_indicator_facts")),
    )
    op.create_index(
        "ix_indicator_facts_form_place",
        "indicator_facts",
        [
            "form_id",
            "province",
            "district",
            "commune",
            "admitted",
            "born",
            "sex",
            "disability",
            "record_id",
        ],
    )
    op.create_index(
        "ix_indicator_facts_form_subject", "indicator_facts", ["form_id", "subject", "day"]
    )
    op.create_table(
        "device_syncs",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=128), nullable=False),
        sa.Column("last_push_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_pull_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", "device_id", name=op.f("pk_device_syncs")),
    )
    op.execute(BACKFILL_PUSHES)
    op.add_column(
        "users",
        sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
    op.drop_table("device_syncs")
    op.drop_index("ix_indicator_facts_form_subject", table_name="indicator_facts")
    op.drop_index("ix_indicator_facts_form_place", table_name="indicator_facts")
    op.drop_table("indicator_facts")
