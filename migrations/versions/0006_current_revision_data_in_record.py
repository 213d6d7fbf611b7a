"""a record's current revision may leave its data to the record's row

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

``record_revisions.data`` becomes nullable: a push writes each record's data once, in
``records``, and the current revision's copy is NULL (``app.sync.revisions``). Existing rows
keep their data, which is always allowed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("record_revisions", schema=None) as batch_op:
        batch_op.alter_column("data", existing_type=JSON, nullable=True)


def downgrade() -> None:
    # give every current revision its data back before the column refuses NULL again
    op.execute(
        "UPDATE record_revisions SET data = (SELECT records.data FROM records"
        " WHERE records.record_id = record_revisions.record_id) WHERE data IS NULL"
    )
    with op.batch_alter_table("record_revisions", schema=None) as batch_op:
        batch_op.alter_column("data", existing_type=JSON, nullable=False)
