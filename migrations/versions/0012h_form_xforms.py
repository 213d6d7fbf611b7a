"""form xforms: the XForm bytes ODK clients download, per form version

Revision ID: 0012h
Revises: 0011
Create Date: 2026-12-07

One row per (form_id, version): the exact bytes served by the OpenRosa form download and
their md5 (the ``hash`` of formList). And the files a submission sent, by the name its XML
gives them, for a submission split over several POSTs; and each instance as its client
holds it, with the revision it made, for the three-way merge of a later edit. Filled when a form version is published from an
XLSForm (pyxform's output) or, for the built-in forms, generated from their schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012h"
down_revision: str | None = "0011"
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
