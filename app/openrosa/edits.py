"""An ODK edit as a Homeward change: what the user changed, over what the server holds.

An ODK client edits the instance it holds (its data as submitted) and sends the whole new
instance with ``deprecatedID``. The revision that instance made may hold more than it: a
change merged in from a tablet or a supervisor. The edit is therefore read against the
instance it replaces: a value it leaves as the instance had it takes the revision's value
(so a merged change is not undone), a value it changes is its own. The result is pushed
with ``base_rev`` = that revision: the sync's three-way merge then keeps any change made on
the server since, and records a clash as a conflict.

Objects (groups) are compared field by field; anything else (a repeat's rows, a
select_multiple) as a whole value.
"""

from __future__ import annotations

from typing import Any

_ABSENT: Any = object()


def carried_over(
    edit: dict[str, Any], before: dict[str, Any], base: dict[str, Any]
) -> dict[str, Any]:
    """``edit`` (the new instance's data) over ``base`` (the revision the replaced instance
    made), the changes being those from ``before`` (the replaced instance's own data)."""
    out: dict[str, Any] = {}
    for key in {**base, **before, **edit}:
        new, old, stored = (
            edit.get(key, _ABSENT),
            before.get(key, _ABSENT),
            base.get(key, _ABSENT),
        )
        if isinstance(new, dict) and isinstance(old, dict) and isinstance(stored, dict):
            value: Any = carried_over(new, old, stored)
        elif new == old:
            value = stored
        else:
            value = new
        if value is not _ABSENT:
            out[key] = value
    return out
