"""A change's result: one type, one serialiser (CONTRACT "Sync": one result per change).

``push`` builds every result here, and the same JSON is what the client gets, what is
stored for the ``change_id`` (a retry gets it again as ``duplicate``) and what the tests
assert on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.change_codes import detail
from app.sync.decide import ChangeIn, Decision, Status


@dataclass(frozen=True, slots=True)
class ChangeResult:
    change_id: str | None
    record_id: str | None
    status: Status
    rev: int | None = None
    errors: tuple[dict[str, Any], ...] = ()
    conflicts: tuple[dict[str, Any], ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The contract's ``{"change_id", "record_id", "status", "rev", "errors", "conflicts"}``."""
        return {
            "change_id": self.change_id,
            "record_id": self.record_id,
            "status": self.status,
            "rev": self.rev,
            "errors": list(self.errors),
            "conflicts": list(self.conflicts),
        }


def rejected(
    change_id: str | None, record_id: str | None, errors: Sequence[dict[str, Any]]
) -> ChangeResult:
    return ChangeResult(change_id, record_id, "rejected", None, tuple(errors))


def rejected_for(
    change_id: str | None, record_id: str | None, code: str, path: str = "", **params: Any
) -> ChangeResult:
    """Rejected with one error of the catalog (``app.change_codes``)."""
    return rejected(change_id, record_id, [detail(code, path, **params)])


def accepted(change: ChangeIn, decision: Decision, conflict_ids: Sequence[str]) -> ChangeResult:
    """``applied``, ``merged`` or ``conflict``: each clash listed with the id it is kept under."""
    conflicts = tuple(
        {"conflict_id": conflict_id, **clash.as_dict()}
        for conflict_id, clash in zip(conflict_ids, decision.clashes, strict=True)
    )
    return ChangeResult(
        change.change_id, change.record_id, decision.status, decision.rev, (), conflicts
    )


def duplicate(stored: dict[str, Any]) -> ChangeResult:
    """The first result of a ``change_id``, as stored, returned again as ``duplicate``."""
    return replace(
        ChangeResult(
            stored.get("change_id"),
            stored.get("record_id"),
            stored["status"],
            stored.get("rev"),
            tuple(stored.get("errors") or ()),
            tuple(stored.get("conflicts") or ()),
        ),
        status="duplicate",
    )
