"""who holds each attachment: its uploaders

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

A file may be read by those who have shown they hold its bytes (uploaded them) and by those who
may see a record that names it. ``attachments.uploaded_by`` kept only the first uploader; every
uploader is now a row of ``attachment_holders``. Existing files get their first uploader.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment_holders",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "username", name=op.f("pk_attachment_holders")),
    )
    op.execute(
        "INSERT INTO attachment_holders (sha256, username, created_at) "
        "SELECT sha256, uploaded_by, created_at FROM attachments WHERE uploaded_by IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("attachment_holders")
