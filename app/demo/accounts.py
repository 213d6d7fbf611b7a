"""One synthetic demo account per role, so a newcomer can sign in as each kind of user."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.auth.users import create_user, find_user

DEMO_PASSWORD = "homeward-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    province: str | None = None
    district: str | None = None
    commune: str | None = None


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "admin"),
    DemoAccount("mosvy", "mosvy"),
    DemoAccount("supervisor.pp", "dosvy_supervisor", province="12"),
    DemoAccount("inspector.sr", "inspector", province="17"),
    DemoAccount("inspector.pp1", "inspector", district="1201"),
    DemoAccount("social.btb", "social_worker", province="02"),
    DemoAccount("ccwc.pp", "ccwc", commune="120101"),
)


def ensure_demo_accounts(session: Session) -> list[str]:
    """Create the demo accounts that do not exist yet; returns the usernames created."""
    created = []
    for account in DEMO_ACCOUNTS:
        if find_user(session, account.username) is None:
            create_user(
                session,
                username=account.username,
                password=DEMO_PASSWORD,
                role=account.role,
                province=account.province,
                district=account.district,
                commune=account.commune,
                created_by="seed-demo",
                # the demo's own codes, right by construction; a test may create the accounts
                # on a database without the demo's districts and communes
                check_locations=False,
            )
            created.append(account.username)
    return created
