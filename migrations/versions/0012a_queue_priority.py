"""queue priority: the desk's queue order stored on the record, and its indexes

Revision ID: 0012a
Revises: 0011
Create Date: 2026-12-07

``records.queue_priority`` (2 abuse, 1 flagged, 0 the rest; app.records.priority) replaces the
CASE the queue computed in its query, so the queue's keyset ``(queue_priority, seq, record_id)``
is an index range scan at every scope level. Existing rows are backfilled by the same rule:
an ``abuse_report``, or flags naming ``abuse_allegation`` or ``abuse_reported``, is 2; other
non-empty flags 1. The record page's review trail reads ``audit_log`` by ``target_id``. The
coverage page reads a form's records in a province or district (``ix_records_form_place``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012a"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the review state last: the counts per state and the state filter read the index alone
QUEUE = ["queue_priority", "seq", "record_id", "review_state"]
QUEUE_INDEXES = {
    "ix_records_queue": QUEUE,
    "ix_records_province_queue": ["province", *QUEUE],
    "ix_records_district_queue": ["district", *QUEUE],
    "ix_records_commune_queue": ["commune", *QUEUE],
    # a form's records in a province or district (the coverage page)
    "ix_records_form_place": ["form_id", "province", "district"],
}

BACKFILL = """
UPDATE records SET queue_priority = CASE
    WHEN form_id = 'abuse_report'
      OR CAST(flags AS TEXT) LIKE '%"abuse_allegation"%'
      OR CAST(flags AS TEXT) LIKE '%"abuse_reported"%' THEN 2
    WHEN flags IS NOT NULL AND CAST(flags AS TEXT) NOT IN ('[]', 'null') THEN 1
    ELSE 0
END
"""


def upgrade() -> None:
    op.add_column(
        "records",
        sa.Column("queue_priority", sa.SmallInteger(), server_default="0", nullable=False),
    )
    op.execute(BACKFILL)
    for name, columns in QUEUE_INDEXES.items():
        op.create_index(name, "records", columns, unique=False)
    op.create_index(op.f("ix_audit_log_target_id"), "audit_log", ["target_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_target_id"), table_name="audit_log")
    for name in reversed(QUEUE_INDEXES):
        op.drop_index(name, table_name="records")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("queue_priority")
