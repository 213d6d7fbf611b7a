"""indexes for exports and the audit log's reader

Revision ID: 0012b
Revises: 0012h
Create Date: 2026-12-07

An export reads a form's records in keyset batches by record_id: (form_id, record_id) makes
each batch an index range, never a sort of the whole form. The audit log is read newest first
by id, filtered by who, what or which target: (target_type, target_id) serves "the audit
trail of this record" (who and action already have their indexes). The log stays
append-only (the triggers of 0001 are untouched).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012b"
down_revision: str | None = "0012h"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_records_form_id_record_id", "records", ["form_id", "record_id"])
    op.create_index("ix_audit_log_target", "audit_log", ["target_type", "target_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_index("ix_records_form_id_record_id", table_name="records")
