"""Geometry of the indicators page's SVG charts (pure: numbers in, coordinates out); the
template draws them with presentation attributes only (the CSP forbids inline styles)."""

from __future__ import annotations

from dataclasses import dataclass

BAR_LEFT = 8
BAR_WIDTH = 384
PHASE_HEIGHT = 180
PHASE_TOP = 24
PHASE_GROUP = 96


@dataclass(frozen=True)
class Bar:
    """One indicator against its target, on a horizontal scale 0..``top``."""

    value_width: float
    target_x: float
    top: float


def bar(value: float | None, target: float, *, percent: bool) -> Bar:
    top = 100.0 if percent else max(value or 0, target, 1) * 1.15
    width = BAR_WIDTH * min(value or 0, top) / top
    return Bar(
        value_width=round(width, 1),
        target_x=round(BAR_LEFT + BAR_WIDTH * target / top, 1),
        top=top,
    )


@dataclass(frozen=True)
class PhaseBars:
    year: int
    x: float
    target_y: float | None
    target_height: float
    value_y: float
    value_height: float


def phase_bars(phases: list[tuple[int, int | None, int]]) -> tuple[list[PhaseBars], float]:
    """(year, target, value) triples as grouped bars; returns them and the chart's width."""
    top = max([1, *(t or 0 for _, t, _ in phases), *(v for _, _, v in phases)]) * 1.1
    bars = []
    for n, (year, target, value) in enumerate(phases):
        target_height = PHASE_HEIGHT * (target or 0) / top
        value_height = PHASE_HEIGHT * value / top
        bars.append(
            PhaseBars(
                year=year,
                x=16 + n * PHASE_GROUP,
                target_y=round(PHASE_TOP + PHASE_HEIGHT - target_height, 1) if target else None,
                target_height=round(target_height, 1),
                value_y=round(PHASE_TOP + PHASE_HEIGHT - value_height, 1),
                value_height=round(value_height, 1),
            )
        )
    return bars, 32 + len(phases) * PHASE_GROUP
