"""From status counts and figures to calendar cells and FullCalendar events (pure: no I/O, no Streamlit).

One cell is one job site on one day. It shows the job site, the module's
figures, and its status coloured by `STATUS_STYLES` (the status needing
attention first, see `summary_status`), with a count per status when the
day's entries differ. Only FullCalendar's MIT views are used (day grid and
list): resource and timeline views need a paid licence.
"""

from __future__ import annotations

import calendar as months
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from core.aggregation.fingerprints import combinations
from core.models.publishing import PublishModule, PublishStatus
from core.modules.definition import UnitFigures
from core.modules.registry import definition
from core.publishing.status import STATUS_STYLES, PublishAction, actions_for, label, summary_status

STATUS_VALUES = [status.value for status in PublishStatus]
EVENT_ID_SEPARATOR = "|"
QUANTITY_CODES_SHOWN = 3  # a cell names this many cost codes, then says how many more


class Span(StrEnum):
    """What the date picker covers, and the calendar view showing it."""

    WEEK = "week"
    MONTH = "month"
    LIST = "list"  # the week as a list


SPAN_LABELS = {Span.WEEK: "Week", Span.MONTH: "Month", Span.LIST: "Week as a list"}
VIEW_TYPES = {Span.WEEK: "dayGridWeek", Span.MONTH: "dayGridMonth", Span.LIST: "listWeek"}
CELL_COLUMNS = ["job_site_id", "job_site", "work_date", "figures", *STATUS_VALUES, "total", "summary_status",
                "status_text"]


def date_range(day: date, span: Span) -> tuple[date, date]:
    """The first and last day the calendar shows around `day`: its week (Monday to Sunday) or its month."""
    if Span(span) is Span.MONTH:
        return day.replace(day=1), day.replace(day=months.monthrange(day.year, day.month)[1])
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def shifted(day: date, span: Span, steps: int) -> date:
    """`day` moved by `steps` weeks or months (a month keeps the day when it can)."""
    if Span(span) is not Span.MONTH:
        return day + timedelta(weeks=steps)
    month_index = day.year * 12 + day.month - 1 + steps
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, months.monthrange(year, month + 1)[1]))


def calendar_cells(
    module: PublishModule,
    counts: pd.DataFrame,
    figures: pd.DataFrame,
    sites: Mapping[int, str],
    *,
    statuses: Collection[PublishStatus | str] | None = None,
) -> pd.DataFrame:
    """One row per job-site day with entries (CELL_COLUMNS), optionally only days with some of `statuses`.

    Args:
        counts: `core.publishing.status_counts` for the range.
        figures: `core.dashboards.queries.day_figures` for the same range.
        sites: job site id → its label.
        statuses: keep the days having at least one entry in one of these.
    """
    cells = counts.reindex(columns=["job_site_id", "work_date", *STATUS_VALUES, "total", "summary_status"])
    if statuses:
        chosen = [PublishStatus(status).value for status in statuses]
        cells = cells[cells[chosen].sum(axis=1) > 0]
    cells = cells.merge(figure_texts(module, figures), on=["job_site_id", "work_date"], how="left")
    cells["figures"] = cells["figures"].fillna("")
    cells["job_site"] = cells["job_site_id"].map(sites).fillna("")
    cells["status_text"] = status_texts(cells)
    return cells.sort_values(["job_site", "work_date"], kind="stable").reindex(columns=CELL_COLUMNS)


def figure_texts(module: PublishModule, figures: pd.DataFrame) -> pd.DataFrame:
    """What a cell says about its figures, per job_site_id and work_date (column `figures`)."""
    counted = definition(module).figures
    keys = ["job_site_id", "work_date"]
    if figures.empty:
        return pd.DataFrame(columns=[*keys, "figures"])
    if isinstance(counted, UnitFigures):
        return _quantity_texts(figures)
    texts = [f"{int(n)} {counted.one if n == 1 else counted.many} · {_number(h)} h"
             for n, h in zip(figures[counted.count].tolist(), figures[counted.hours].tolist(), strict=True)]
    return figures[keys].assign(figures=texts)


def _quantity_texts(figures: pd.DataFrame) -> pd.DataFrame:
    """The first cost codes of each day with their units ("05-100 2.3 TON · 09-250 372 SF · +2 more").

    A month has 60,000 rows: the rows of each day are found on whole columns, and only those a cell shows are
    written out."""
    sites = figures["job_site_id"].to_numpy(dtype="int64")
    days, _ = pd.factorize(figures["work_date"])
    cell, _ = pd.factorize(sites * (int(days.max()) + 1) + days)
    order = np.argsort(cell, kind="stable")  # each day's rows together, in their order
    starts = np.flatnonzero(np.diff(cell[order], prepend=-1))
    sizes = np.diff(starts, append=len(order))
    place = np.arange(len(order)) - np.repeat(starts, sizes)
    shown = order[place < QUANTITY_CODES_SHOWN]
    pieces = _distinct_texts(
        lambda code, units, unit: f"{_text(code, '—')} {_number(units)} {_text(unit, '')}".strip(),
        figures["cost_code"].to_numpy(dtype=object)[shown], figures["units"].to_numpy()[shown],
        figures["unit_of_measure"].to_numpy(dtype=object)[shown])
    bounds = np.minimum(sizes, QUANTITY_CODES_SHOWN).cumsum().tolist()
    texts = [" · ".join(pieces[low:high]) + (f" · +{more} more" if more > 0 else "")
             for low, high, more in zip([0, *bounds[:-1]], bounds, (sizes - QUANTITY_CODES_SHOWN).tolist(),
                                        strict=True)]
    rows = order[starts]
    return pd.DataFrame({"job_site_id": sites[rows], "work_date": figures["work_date"].to_numpy(dtype=object)[rows],
                         "figures": texts})


def _number(value: Any) -> str:
    """A number as people write it: at most two decimals, no trailing zeros."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _text(value: Any, missing: str) -> str:
    return missing if value is None or value != value else str(value)  # NaN is the one value unequal to itself


def status_texts(cells: pd.DataFrame) -> pd.Series:
    """The summary status's label, or a count per status ("To do 3 · Non publishable 1") when they differ.

    Cells with the same counts say the same (their summary status follows from the counts): each distinct
    set of counts is written once."""
    labels = [label(value) for value in STATUS_VALUES]

    def text(summary: Any, *counts: int) -> str:
        parts = [f"{name} {count}" for name, count in zip(labels, counts, strict=True) if count]
        return " · ".join(parts) if len(parts) > 1 else label(summary) if isinstance(summary, str) else ""

    texts = _distinct_texts(text, cells["summary_status"].to_numpy(dtype=object),
                            *(cells[value].to_numpy() for value in STATUS_VALUES))
    return pd.Series(texts, index=cells.index, dtype=object)


def _distinct_texts(write: Callable[..., str], *columns: np.ndarray) -> list[str]:
    """`write` of each row's values in `columns`, called once per distinct row (a month's cells repeat a few
    thousand combinations tens of thousands of times)."""
    if not len(columns[0]):
        return []
    names = [str(number) for number in range(len(columns))]
    row, first = combinations(pd.DataFrame(dict(zip(names, columns, strict=True))), names)
    written = np.array([write(*values) for values in zip(*(column[first].tolist() for column in columns),
                                                          strict=True)], dtype=object)
    texts: list[str] = written[row].tolist()
    return texts


def calendar_events(cells: pd.DataFrame) -> list[dict[str, Any]]:
    """FullCalendar events for `calendar_cells`: one all-day event per cell, coloured by its summary status."""
    colours = {status.value: style.hex for status, style in STATUS_STYLES.items()}
    return [
        {
            "id": event_id(site_id, day),
            "title": f"{site}\n{figures}\n{status_text}" if figures else f"{site}\n{status_text}",
            "start": day.isoformat(),
            "allDay": True,
            "backgroundColor": colours[status],
            "borderColor": colours[status],
            "textColor": "#ffffff",
            "extendedProps": {"job_site_id": int(site_id), "status": status},
        }
        for site_id, site, day, figures, status, status_text in zip(
            *(cells[name].tolist() for name in ("job_site_id", "job_site", "work_date", "figures", "summary_status",
                                                "status_text")), strict=True,
        )
    ]


def event_id(job_site_id: int, day: date) -> str:
    """The id of a cell's event: "job site id|ISO date"."""
    return f"{int(job_site_id)}{EVENT_ID_SEPARATOR}{day.isoformat()}"


def parse_event_id(value: Any) -> tuple[int, date] | None:
    """The job site id and date an event id names, or None for anything else."""
    site, separator, day = str(value or "").partition(EVENT_ID_SEPARATOR)
    if not separator:
        return None
    try:
        return int(site), date.fromisoformat(day)
    except ValueError:
        return None


def clicked_cell(value: Mapping[str, Any] | None) -> tuple[int, date] | None:
    """The cell a calendar component value names, when it is an event click."""
    if not value or value.get("callback") != "eventClick":
        return None
    return parse_event_id(((value.get("eventClick") or {}).get("event") or {}).get("id"))


def calendar_options(span: Span, day: date) -> dict[str, Any]:
    """FullCalendar options: an MIT view on `day`, Monday first, navigation left to the page's date picker."""
    return {
        "initialView": VIEW_TYPES[Span(span)],
        "initialDate": day.isoformat(),
        "firstDay": 1,
        "headerToolbar": {"left": "title", "center": "", "right": ""},
        "height": "auto",
        "dayMaxEvents": 8,
        "eventDisplay": "block",
        "displayEventTime": False,
        "timeZone": "UTC",
        "noEventsText": "No entries in this range.",
    }


def site_rows(cells: pd.DataFrame) -> pd.DataFrame:
    """The job sites of `cells` with the status of their range and how many entries they hold."""
    if cells.empty:
        return pd.DataFrame(columns=["job_site_id", "job_site", "status", "status_label", "entries"])
    sums = cells.groupby(["job_site_id", "job_site"], sort=False)[[*STATUS_VALUES, "total"]].sum().reset_index()
    present = sums[STATUS_VALUES].gt(0).to_dict("records")
    statuses = [summary_status(str(value) for value, found in row.items() if found) for row in present]
    return pd.DataFrame({
        "job_site_id": sums["job_site_id"], "job_site": sums["job_site"],
        "status": [status.value if status else None for status in statuses],
        "status_label": [label(status) if status else "" for status in statuses],
        "entries": sums["total"],
    })


def day_actions(statuses: Iterable[PublishStatus | str]) -> tuple[PublishAction, ...]:
    """What can be done to a day whose entries have `statuses`, in menu order."""
    offered = {action for status in statuses for action in actions_for(status)}
    return tuple(action for action in PublishAction if action in offered)
