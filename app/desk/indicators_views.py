"""/review/indicators: the action plan's indicators against their targets, with charts, the
numbers in tables, splits, and a link from every number to the records behind it. Thin: the
figures come from ``app.indicators`` (the API's computation), in the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.scope import Scope
from app.clock import cambodia_today, now_utc
from app.db.session import SessionDep
from app.desk import queries
from app.desk.i18n import format_number, text
from app.desk.indicators_charts import BAR_LEFT, BAR_WIDTH, bar, phase_bars
from app.desk.views import NOT_FOUND, StaffDep
from app.desk.web import DeskRefusal, DeskRoute, lang_of, render
from app.errors import ApiError
from app.indicators.compute import Figure, indicators
from app.indicators.definitions import FIRST_YEAR, UNKNOWN
from app.indicators.scoping import indicator_scope

router = APIRouter(prefix="/review", route_class=DeskRoute, include_in_schema=False)


@dataclass(frozen=True)
class Cell:
    label: str
    text: str
    link: str | None


def _number(value: float | int | None, lang: str) -> str:
    """As the rest of the desk writes numbers (``format_number``): ``1,234`` and ``45.5`` in
    English, ``១.២៣៤`` and ``៤៥,៥`` in Khmer."""
    if value is None:
        return "–"
    if float(value).is_integer():
        return format_number(int(value), lang)
    return format_number(float(value), lang)


def _link(figure: Figure, year: int, province: str | None, **extra: str) -> str:
    params = {"indicator": figure.indicator.id, "year": str(year), **extra}
    if province:
        params["province"] = province
    return "/review?" + urlencode(params)


def _view(
    figure: Figure,
    *,
    year: int,
    province: str | None,
    lang: str,
    t: Any,
    names: dict[str, tuple[str, str]],
) -> dict[str, Any]:
    indicator = figure.indicator
    percent = indicator.unit == "percent"

    def amount(value: float | None) -> str:
        if value is None:
            return t("indicators_no_data")
        return t(f"indicators_unit_{indicator.unit}", n=_number(value, lang))

    value, target = figure.value, figure.target
    met: bool | None = None
    if value is not None:
        met = value <= target if indicator.goal == "at_most" else value >= target
    target_text = t(f"indicators_{indicator.goal}", n=amount(target))
    splits = []
    for split in indicator.splits:
        rows = []
        for key, (count, of) in figure.by_count.get(split, {}).items():
            if split == "province":
                label = names[key][1 if lang == "km" else 0] if key in names else key
            elif split == "age_band" and key != UNKNOWN:
                label = key
            else:
                label = t(f"indicators_key_{key}")
            shown = figure.by[split].get(key)
            text = amount(shown)
            if percent and of:
                text += (
                    " ("
                    + t("indicators_count_of", count=_number(count, lang), of=_number(of, lang))
                    + ")"
                )
            link = _link(figure, year, province, split=split, key=key) if count else None
            rows.append(Cell(label, text, link))
        splits.append({"split": split, "label": t(f"indicators_split_{split}"), "rows": rows})
    name = t(f"indicators_name_{indicator.id}")
    return {
        "id": indicator.id,
        "name": name,
        "how": t(f"indicators_how_{indicator.id}"),
        "value_text": amount(value),
        "count_text": (
            t("indicators_count_of", count=_number(figure.count, lang), of=_number(figure.of, lang))
            if percent and figure.of
            else None
        ),
        "target_text": target_text,
        "met": met,
        "link": _link(figure, year, province) if figure.count else None,
        "bar": bar(value, target, percent=percent),
        "desc": t("indicators_chart_desc", name=name, value=amount(value), target=target_text),
        "splits": splits,
    }


@router.get("/indicators")
def indicators_page(
    request: Request,
    session: SessionDep,
    live: StaffDep,
    year: Annotated[str | None, Query(max_length=8)] = None,
    province: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    lang = lang_of(request)
    today = cambodia_today(now_utc())
    errors: list[tuple[str, str, dict[str, Any]]] = []
    chosen = today.year
    if year:
        if year.isdigit() and FIRST_YEAR <= int(year) <= today.year:
            chosen = int(year)
        else:
            errors.append(
                ("year", "indicators_bad_year", {"first": FIRST_YEAR, "last": today.year})
            )
    user_scope = live.principal.scope
    try:
        scope: Scope = indicator_scope(session, user_scope, province or None)
    except ApiError as exc:
        if exc.code == "not_found":
            raise DeskRefusal(
                404, "error.html", live=live, csrf=live.csrf_token, **NOT_FOUND
            ) from None
        errors.append(("province", "not_found_title", {}))
        scope = user_scope
    report = indicators(session, scope=scope, year=chosen, today=today)
    provinces = queries.locations_in_scope(session, scope=user_scope, level="province")
    names = {code: (en, km) for code, en, km in provinces}

    def t(key: str, **params: Any) -> str:
        return text(lang, key, **params)

    shown_province = scope.province if scope.province != user_scope.province else None
    figures = [
        _view(f, year=chosen, province=shown_province, lang=lang, t=t, names=names)
        for f in report.figures
    ]
    reintegrated = report.figures[0]
    phases = reintegrated.phases or []
    bars, width = phase_bars([(p.year, p.target, p.value) for p in phases])
    phase_rows = [
        {
            "year": p.year,
            "plan_year": p.plan_year,
            "target": _number(p.target, lang) if p.target is not None else "–",
            "value": _number(p.value, lang),
            "link": (
                "/review?"
                + urlencode(
                    {"indicator": reintegrated.indicator.id, "year": str(p.year)}
                    | ({"province": shown_province} if shown_province else {})
                )
                if p.value
                else None
            ),
            "bar": b,
            "value_label": _number(p.value, lang),
        }
        for p, b in zip(phases, bars, strict=True)
    ]
    return render(
        request,
        "indicators.html",
        status=422 if errors else 200,
        live=live,
        csrf=live.csrf_token,
        errors=errors,
        year=chosen,
        years=list(range(today.year, FIRST_YEAR - 1, -1))[:15],
        as_of=report.as_of,
        province=scope.province,
        national=user_scope.province is None,
        provinces=provinces,
        figures=figures,
        phases=phase_rows,
        phases_width=width,
        bar_left=BAR_LEFT,
        bar_width=BAR_WIDTH,
    )
