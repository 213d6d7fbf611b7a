"""desk sessions: the supervisors' desk signs a browser in with a server-side session

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

The cookie carries an opaque random id; the row keeps its SHA-256, the API token issued at
sign-in (so revoking the user's tokens ends the session), the CSRF token and when the
session was last used (idle expiry).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "desk_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["auth_tokens.id"],
            name=op.f("fk_desk_sessions_token_id_auth_tokens"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_desk_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_desk_sessions")),
    )
    op.create_index("ix_desk_sessions_token_id", "desk_sessions", ["token_id"])
    op.create_index("ix_desk_sessions_user_id", "desk_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_desk_sessions_user_id", table_name="desk_sessions")
    op.drop_index("ix_desk_sessions_token_id", table_name="desk_sessions")
    op.drop_table("desk_sessions")
