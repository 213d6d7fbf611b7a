"""openrosa: XForm bytes, split-upload files and submitted instances for ODK clients

Revision ID: 0012h
Revises: 0012a
Create Date: 2026-12-07

Three tables for ODK clients (app/openrosa/):
- form_xforms: per (form_id, version), the exact XForm bytes the OpenRosa download serves and
  their md5 (the ``hash`` of formList); pyxform's output for a version published from an
  XLSForm, else made from the schema;
- openrosa_files: the files a submission split over several POSTs sent, by the name its XML
  gives them;
- openrosa_instances: each instance as its client holds it, with the revision it made, for
  the three-way merge of a later edit (``deprecatedID``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012h"
down_revision: str | None = "0012a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_xforms",
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("xml", sa.LargeBinary(), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("form_id", "version", name=op.f("pk_form_xforms")),
    )
    op.create_table(
        "openrosa_files",
        sa.Column("instance_id", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("instance_id", "filename", name=op.f("pk_openrosa_files")),
    )
    op.create_table(
        "openrosa_instances",
        sa.Column("instance_id", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_openrosa_instances")),
    )


def downgrade() -> None:
    op.drop_table("openrosa_instances")
    op.drop_table("openrosa_files")
    op.drop_table("form_xforms")
