"""The publishing dashboards (Manpower, Timecard, Production quantity): one set of components for all three.

A page calls `render_dashboard(ctx, module)`. The module's publish jobs show
on top (`core.ui.job_progress`). Job sites are listed on the left, with the
range publishes under them (`core.ui.range_publish`), and a calendar of
job-site days on the right; clicking a day opens it (`core.ui.day_panel`).
What the cells say is decided in `core.dashboards`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from streamlit_calendar import calendar

from core import setup
from core.dashboards.calendar import (
    SPAN_LABELS,
    STATUS_VALUES,
    Span,
    calendar_cells,
    calendar_events,
    calendar_options,
    clicked_cell,
    date_range,
    shifted,
    site_rows,
)
from core.dashboards.queries import day_summary, job_site_labels
from core.dashboards.views import ModuleView, view_for
from core.errors import ProcoreConnectError
from core.models.publishing import PublishModule, PublishStatus
from core.publishing import STATUS_STYLES, label, refresh
from core.ui.dashboard_keys import Keys
from core.ui.day_panel import render_day
from core.ui.guard import PageContext
from core.ui.job_progress import render_jobs
from core.ui.links import link_to, linked_day
from core.ui.navigation import PROCORE_SETUP
from core.ui.publish_runs import run_pending
from core.ui.range_publish import range_buttons
from core.ui.widgets import table_with_download

SITE_ROW_HEIGHT = 68  # pixels: taller than 4rem, so Streamlit wraps a long job site or "Non publishable"
CALENDAR_CSS = """
.fc-event-title { white-space: pre-line; font-size: 0.78rem; line-height: 1.2; }
.fc-daygrid-event { cursor: pointer; }
.fc-list-event { cursor: pointer; }
"""


def calendar_key(
    module: PublishModule, span: Span, start: date, generation: int = 0, filtered: tuple[str, ...] = ()
) -> str:
    """The calendar component's key: a new range, filter (job sites, statuses) or closing a day mounts a fresh
    calendar. The component measures its height only when it mounts, so a filter's fewer rows need a new one."""
    shown = "".join(f"_{part}" for part in filtered)
    return f"{PublishModule(module).value}_dash_calendar_{Span(span).value}_{start.isoformat()}_{generation}{shown}"


def render_dashboard(ctx: PageContext, module: PublishModule) -> None:
    """The whole dashboard of `module` for the person in `ctx`."""
    view, keys = view_for(module), Keys(PublishModule(module))
    st.title(view.title)
    st.caption(view.intro)
    company_id = _ready_company(ctx, view)
    span, day, statuses = _controls(keys)
    start, end = date_range(day, span)
    _refresh(ctx, keys, start, end)
    jobs_area = st.container()
    left, right = st.columns([5, 9])
    panel = st.container()  # under the calendar, filled first: an action runs before the calendar is read
    with panel:
        run_pending(ctx, view, company_id=company_id)
    with jobs_area:
        render_jobs(ctx, view.module, place=keys.jobs)
    with ctx.session() as session:
        counts, figures = day_summary(session, module=view.module, start=start, end=end)
        sites = job_site_labels(session)
    cells = calendar_cells(view.module, counts, figures, sites, statuses=statuses)
    with left:
        chosen = _site_list(keys, cells)
        in_view = chosen or (sorted({int(site) for site in cells["job_site_id"]}) if statuses else [])
        range_buttons(ctx, view, start=start, end=end, span=span, site_ids=in_view)
    with right:
        _legend()
        shown = cells if not chosen else cells[cells["job_site_id"].isin(chosen)]
        filtered = (*(str(site) for site in chosen), *(str(status) for status in statuses))
        picked = _calendar(keys, view.module, shown, span, day, start, filtered)
    selected = _selected_day(keys, picked, start, end)
    if selected is not None:
        with panel:
            render_day(ctx, view, job_site_id=selected[0], day=selected[1],
                       site=sites.get(selected[0], str(selected[0])), company_id=company_id,
                       on_close=lambda: _close_day(keys))
    chart_site = selected[0] if selected is not None else (chosen[0] if len(chosen) == 1 else None)
    _chart(view, figures, chart_site, sites)
    with st.expander("The calendar as a table"):
        table_with_download(cells.drop(columns=["summary_status"]), name=f"{view.module.value}-calendar",
                            empty_message="No entries in this range.")


def _ready_company(ctx: PageContext, view: ModuleView) -> int:
    """The Procore company publishing goes to; stops the page with what to do while setup is not ready."""
    with ctx.session() as session:
        state = setup.state(session)
    if not (state.active and state.finished and state.company_id is not None):
        st.info("Procore setup is not finished: connect a company and choose the modules to publish on "
                "Administration > Procore setup first.")
        link_to(PROCORE_SETUP)
        st.stop()
    if view.module not in state.modules:
        st.info(f"{view.title} publishing is not enabled: turn it on on Administration > Procore setup.")
        link_to(PROCORE_SETUP)
        st.stop()
    assert state.company_id is not None
    return state.company_id


def _controls(keys: Keys) -> tuple[Span, date, list[PublishStatus]]:
    """The date picker (week or month, moved with arrows) and the status filter.

    The date and view chosen are kept for the session: coming back from another page shows them again
    (a link's ?date= wins).
    """
    _restore(keys)
    row = st.container(horizontal=True, vertical_alignment="bottom")
    span = row.segmented_control("Show", list(Span), format_func=lambda span: SPAN_LABELS[span], key=keys.span,
                                 required=True) or Span.WEEK
    row.button(":material/chevron_left:", key=keys.previous, help="Earlier",
               on_click=_move, args=(keys, Span(span), -1))
    day = row.date_input("Date", key=keys.day, format="YYYY-MM-DD", width=150)
    row.button(":material/chevron_right:", key=keys.next, help="Later",
               on_click=_move, args=(keys, Span(span), 1))
    statuses = row.multiselect("Status", STATUS_VALUES, format_func=label, key=keys.statuses,
                               placeholder="All statuses", width=360)
    row.button("Refresh", icon=":material/refresh:", key=keys.refresh_now,
               help="Read the time clock again now (every change to the page reads it too)")
    chosen = day if isinstance(day, date) else linked_day()
    st.query_params["date"] = chosen.isoformat()
    st.session_state[keys.kept_day], st.session_state[keys.kept_span] = chosen, Span(span)
    return Span(span), chosen, [PublishStatus(status) for status in statuses]


def _restore(keys: Keys) -> None:
    """Give the date and view widgets the values kept for the session, when Streamlit dropped their keys."""
    if keys.day not in st.session_state:
        kept = st.session_state.get(keys.kept_day)
        st.session_state[keys.day] = kept if kept is not None and "date" not in st.query_params else linked_day()
    st.session_state.setdefault(keys.span, st.session_state.get(keys.kept_span, Span.WEEK))


def _move(keys: Keys, span: Span, steps: int) -> None:
    st.session_state[keys.day] = shifted(st.session_state.get(keys.day) or linked_day(), span, steps)


def _refresh(ctx: PageContext, keys: Keys, start: date, end: date) -> None:
    """Bring the range's entries in line with the time clock on every run (only changed days are recomputed)."""
    try:
        with st.spinner("Reading the time clock…"):
            refresh(ctx.engine, module=keys.module, start=start, end=end)
    except ProcoreConnectError as error:
        st.error(str(error))
        st.stop()


def _site_list(keys: Keys, cells: pd.DataFrame) -> list[int]:
    """The job sites with entries in the range; the ones selected narrow the calendar."""
    rows = site_rows(cells)
    st.markdown(f"**Job sites** ({len(rows)})")
    ids = [int(site) for site in rows["job_site_id"]]
    if st.session_state.get(keys.site_ids) != ids:  # another list: an old selection would point at other rows
        st.session_state[keys.site_ids] = ids
        st.session_state.pop(keys.sites, None)
    if rows.empty:
        st.caption("No job site has entries in this range.")
        return []
    colours = {style.label: style.hex for style in STATUS_STYLES.values()}
    styled = rows.style.map(lambda text: f"background-color: {colours.get(text, '')}; color: white"
                            if text in colours else "", subset=["status_label"])
    event = st.dataframe(styled, key=keys.sites, on_select="rerun", selection_mode="multi-row", hide_index=True,
                         column_order=["job_site", "status_label", "entries"], row_height=SITE_ROW_HEIGHT,
                         height=36 + SITE_ROW_HEIGHT * min(len(rows), 12),
                         column_config={"job_site": st.column_config.TextColumn("Job site", width=120),
                                        "status_label": st.column_config.TextColumn("Status", width=95),
                                        "entries": st.column_config.NumberColumn("Entries", width=55)})
    st.caption("Select job sites to show only them on the calendar.")
    positions = [position for position in event.selection.rows if position < len(ids)]
    return [ids[position] for position in positions]


def _legend() -> None:
    row = st.container(horizontal=True, gap="small")
    for style in STATUS_STYLES.values():
        row.badge(style.label, color=style.colour, help=style.description)  # type: ignore[arg-type]


def _calendar(
    keys: Keys, module: PublishModule, cells: pd.DataFrame, span: Span, day: date, start: date,
    filtered: tuple[str, ...],
) -> tuple[int, date] | None:
    """The calendar of job-site days; returns the day clicked (the component keeps its last click)."""
    key = calendar_key(module, span, start, st.session_state.get(keys.generation, 0), filtered)
    value = calendar(events=calendar_events(cells), options=calendar_options(span, day), custom_css=CALENDAR_CSS,
                     callbacks=["eventClick"], key=key)
    clicked = clicked_cell(value)
    if clicked is None or st.session_state.get(keys.last_click) == (key, value):
        return None
    st.session_state[keys.last_click] = (key, value)
    return clicked


def _selected_day(
    keys: Keys, clicked: tuple[int, date] | None, start: date, end: date
) -> tuple[int, date] | None:
    """The job-site day open below the calendar: the last one clicked, while it is in the range."""
    if clicked is not None:
        st.session_state[keys.selected] = clicked
    selected: tuple[int, date] | None = st.session_state.get(keys.selected)
    if selected is not None and not start <= selected[1] <= end:
        st.session_state.pop(keys.selected)
        return None
    return selected


def _close_day(keys: Keys) -> None:
    st.session_state.pop(keys.selected, None)
    st.session_state[keys.generation] = st.session_state.get(keys.generation, 0) + 1


def _chart(view: ModuleView, figures: pd.DataFrame, site_id: int | None, sites: dict[int, str]) -> None:
    """The chosen job site's figure per day (hours, or units per cost code)."""
    if site_id is None:
        st.caption(f"Click a day, or select one job site, to chart its {view.chart_label.lower()} per day.")
        return
    data = figures[figures["job_site_id"] == site_id].assign(
        work_date=lambda frame: frame["work_date"].map(date.isoformat))
    st.markdown(f"**{view.chart_label} per day · {sites.get(site_id, site_id)}**")
    if data.empty:
        st.caption("Nothing to chart in this range.")
        return
    st.bar_chart(data, x="work_date", y=view.chart_value, color=view.chart_colour, x_label="Day",
                 y_label=view.chart_label, height=220)


