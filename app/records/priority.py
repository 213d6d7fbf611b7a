"""A record's place in the supervisors' queue, stored on the record (``records.queue_priority``).

2: abuse (an ``abuse_report``, or an abuse flag); 1: another flag; 0: the rest. Higher comes
first, and inside a priority the most recently changed (highest ``seq``): the queue's order is
``(queue_priority, seq, record_id)`` all descending, which one plain index per scope level serves
(read backwards). Every write that changes a record's form or flags (a push, a conflict
resolution, the demo load) stores it; nothing computes it in a query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ABUSE = 2
FLAGGED = 1
REST = 0
ABUSE_FORM = "abuse_report"
ABUSE_FLAGS = frozenset({"abuse_allegation", "abuse_reported"})


def _names(flag: Any) -> set[Any]:
    """The strings a flag is known by: its code and its path."""
    if isinstance(flag, Mapping):
        return {flag.get("code"), flag.get("path")}
    return set()


def queue_priority(form_id: str, flags: Iterable[Any] | None) -> int:
    """Where a record of ``form_id`` carrying ``flags`` (``{"path", "code", …}``) is queued."""
    found = list(flags or [])
    if form_id == ABUSE_FORM or any(_names(flag) & ABUSE_FLAGS for flag in found):
        return ABUSE
    return FLAGGED if found else REST
