"""The records behind a figure, for the queue's ``indicator`` filter: the desk's indicator
page links every number to ``/review?indicator=ID&year=Y[&split=S&key=K]``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.auth.scope import Scope
from app.clock import cambodia_today, now_utc
from app.indicators.compute import records_behind
from app.indicators.definitions import BY_ID, FIRST_YEAR


@dataclass(frozen=True)
class IndicatorLink:
    indicator: str
    year: int
    split: str | None
    key: str | None
    record_ids: tuple[str, ...]

    @property
    def params(self) -> dict[str, str]:
        found = {"indicator": self.indicator, "year": str(self.year)}
        if self.split is not None and self.key is not None:
            found |= {"split": self.split, "key": self.key}
        return found


def indicator_link(
    session: Session,
    scope: Scope,
    indicator: str | None,
    year: str | None,
    split: str | None,
    key: str | None,
) -> IndicatorLink | None:
    """The link's records in ``scope``; None when the parameters name no figure (the queue
    then ignores them, as it ignores an unknown flag)."""
    today = cambodia_today(now_utc())
    if indicator not in BY_ID or not year or not year.isdigit():
        return None
    number = int(year)
    if not FIRST_YEAR <= number <= today.year:
        return None
    if split not in BY_ID[indicator].splits or not key:
        split = key = None
    ids = tuple(
        records_behind(
            session,
            scope=scope,
            year=number,
            today=today,
            indicator=indicator,
            split=split,
            key=key,
        )
    )
    return IndicatorLink(indicator, number, split, key, ids)
