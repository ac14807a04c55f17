"""Procore > Data mapping (one-way): which Procore record each job site, employee, company, code and pay ID is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from core import setup
from core.access import PERMISSION_NAMES, Perm
from core.errors import ProcoreConnectError
from core.models.mapping import Entity
from core.modules.entities import PROJECT_SCOPED
from core.outcomes import of_sync
from core.sync import auto_mapping, mapping
from core.sync.lists import TEXT, entities_for, sync_from_procore
from core.sync.mapping_changes import save_mappings
from core.ui import page_guard
from core.ui.flash import flash, show_flash
from core.ui.mapping_suggestions import suggestions_panel
from core.ui.outcome import outcome_written, show_kept_outcome

ctx = page_guard()
st.title("Data mapping")

TAB_KEY, ENTITY_KEY, GRID_PREFIX = "data_mapping_tab", "data_mapping_entity", "data_mapping_grid_"
TAB_RULES = ("Tabs follow the modules enabled on Procore setup. **Manpower** needs projects and vendors (a "
             "manpower log names the company). **Timecard** and **Timesheet** need projects, employees, "
             "classifications (pay classes), cost codes and payroll types (pay IDs). **Production quantity** needs "
             "projects and cost codes.")

with ctx.session() as session:
    state = setup.state(session)
if not (state.active and state.finished and state.company_id):
    st.info("Procore setup is not finished: connect a company and choose a mode and modules on "
            "Administration > Procore setup first.")
    st.stop()
if state.two_way:
    st.info("This company uses the **two-way integration**: the import on Procore setup creates your records from "
            "Procore and maps them automatically, so there is nothing to map here. Choose which payroll item each "
            "pay ID is published as on Administration > Payroll items.")
    st.stop()
company_id: int = state.company_id
editable = ctx.can(Perm.DATA_MAPPING)

st.caption("Publishing needs to know which Procore record each of your records is: entries with an unmapped record "
           "are Non publishable. On each tab, **Sync** loads Procore's list, **Auto-map** matches equal numbers, "
           "**Suggestions** offer matches by name (vendors also by abbreviation) for you to accept, and the grid "
           "lets you choose the rest by hand. Mapping a project also auto-maps its cost codes and classifications.")
with st.expander("Which tabs, and why"):
    st.markdown(TAB_RULES)
if not editable:
    st.info(f"You can view the mappings. Syncing, auto-map and changing mappings need the "
            f"'{PERMISSION_NAMES[Perm.DATA_MAPPING]}' permission; an admin can grant it on "
            "Administration > Role permissions.")

with ctx.session() as session:
    summaries = mapping.tab_summaries(session, company_id=company_id, modules=state.modules)
    projects = mapping.mapped_projects(session, company_id=company_id)
titles = {s.entity: s.title for s in summaries}


def _done(entity: Entity, message: str, left: Sequence[str] = (), title: str = "Left to map by hand") -> None:
    """Say what changed on the rerun that shows the new state (a kept outcome says it when `message` is
    empty), and forget unsaved grid edits."""
    if message:
        flash(f"data_mapping_{entity}", message, details=left, details_title=f"{title} ({len(left)})")
    for key in [k for k in st.session_state if str(k).startswith(GRID_PREFIX)]:
        del st.session_state[key]
    st.rerun()


def _sync(entity: Entity) -> None:
    text = TEXT[entity]
    with st.status(f"Syncing {text.tab.lower()} from Procore…", expanded=True) as status:
        try:
            reports = sync_from_procore(ctx.settings, ctx.engine, company_id=company_id, entities=[entity],
                                        actor=ctx.identity, progress=st.write)
        except ProcoreConnectError as error:
            status.update(label="Sync stopped", state="error")
            st.error(f"{error} Lists synced before the error are kept.")
            return
        status.update(label="Sync finished", state="complete")
    outcome_written(f"data_mapping_{entity}", of_sync(reports, title=f"Sync of {text.tab.lower()}"), rerun=False)
    _done(entity, "")


def _auto_map(entity: Entity) -> None:
    try:
        with ctx.session() as session:
            report = auto_mapping.auto_map(session, company_id=company_id, entity=entity, actor=ctx.identity)
    except ProcoreConnectError as error:
        st.error(str(error))
        return
    _done(entity, report.summary(), report.left_to_person)


def _columns(entity: Entity, options: list[str]) -> dict[str, Any]:
    return {
        "number": st.column_config.TextColumn("Number"),
        "name": st.column_config.TextColumn("Name"),
        "procore": st.column_config.SelectboxColumn(f"Procore {TEXT[entity].procore}", options=options,
                                                    width="large"),
        "status": st.column_config.TextColumn("Status"),
    }


def _grid(entity: Entity, project_id: int | None) -> None:
    only = st.toggle("Show only rows that need mapping", key=f"data_mapping_unmapped_{entity}")
    with ctx.session() as session:
        table = mapping.mapping_table(session, company_id=company_id, entity=entity, project_id=project_id,
                                      unmapped_only=only)
    if not table.options:
        st.info(f"No Procore {TEXT[entity].tab.lower()} here yet: use Sync to load them from Procore.")
    if table.frame.empty:
        st.success("Every row is mapped." if only else f"There are no {TEXT[entity].locals} yet.")
        return
    columns = _columns(entity, list(table.options))
    if not editable:
        st.dataframe(table.frame, hide_index=True, width="stretch", column_config=columns)
        return
    key = GRID_PREFIX + str(entity) + (f"_{project_id}" if project_id else "") + ("_unmapped" if only else "")
    edited = st.data_editor(table.frame, key=key, hide_index=True, width="stretch", column_config=columns,
                            disabled=["number", "name", "status"])
    if st.button("Save changes", key=f"{key}_save", type="primary"):
        try:
            saved, follow_up = _save(entity, table.changes(edited), project_id)
        except ProcoreConnectError as error:
            st.error(str(error))
            return
        said = f"Saved {saved} mapping change{'s' if saved != 1 else ''}." if saved else "Nothing changed."
        _done(entity, said, follow_up, "Then, for the newly mapped projects")


def _save(entity: Entity, changes: dict[int, int | None], project_id: int | None) -> tuple[int, list[str]]:
    """Save the grid's changes; projects through `map_projects`, which auto-maps their codes and classifications."""
    with ctx.session() as session:
        if entity is not Entity.JOB_SITE:
            return save_mappings(session, company_id=company_id, entity=entity, changes=changes,
                                 project_id=project_id, actor=ctx.identity), []
        report = auto_mapping.map_projects(session, company_id=company_id, changes=changes, actor=ctx.identity,
                                      follow=[e for e in entities_for(state.modules) if e in PROJECT_SCOPED])
    return report.changed, [found.summary() for found in report.follow_up]


def _tab(summary: mapping.TabSummary) -> None:
    entity, text = summary.entity, TEXT[summary.entity]
    show_flash(f"data_mapping_{entity}")
    show_kept_outcome(f"data_mapping_{entity}")
    st.caption(f"Procore {text.tab.lower()} ↔ your {text.locals}. {mapping.RULES[entity]}")
    synced = (f"Last synced {summary.synced_at:%Y-%m-%d %H:%M} UTC: {summary.procore_count} in Procore."
              if summary.synced_at else "Not synced yet.")
    st.caption(synced + (" Cost codes are synced for every mapped project." if entity is Entity.COST_CODE else ""))
    row = st.container(horizontal=True)
    if row.button(f"Sync {text.tab.lower()}", key=f"data_mapping_sync_{entity}", disabled=not editable):
        _sync(entity)
    if entity in mapping.NUMBERED and row.button("Auto-map", key=f"data_mapping_auto_{entity}",
                                                   disabled=not editable or not summary.available):
        _auto_map(entity)
    if not summary.available:
        st.info(summary.note)
        return
    suggestions_panel(ctx, company_id=company_id, entity=entity, modules=state.modules, editable=editable,
                      done=lambda message, lines: _done(entity, message, lines, "What was mapped"))
    project_id = None
    if entity is Entity.COST_CODE:
        labels = {p.procore_id: p.label for p in projects}
        project_id = st.selectbox("Mapped Procore project", list(labels), format_func=labels.__getitem__,
                                  key="data_mapping_project")
    _grid(entity, project_id)


def _remember_tab() -> None:
    chosen = st.session_state.get(TAB_KEY)
    st.session_state[ENTITY_KEY] = next((e for e, title in titles.items() if title == chosen), None)


remembered = st.session_state.get(ENTITY_KEY)
if remembered in titles:  # counts in the titles change as mappings do; keep the tab the person was on
    st.session_state[TAB_KEY] = titles[remembered]
for tab, summary in zip(st.tabs(list(titles.values()), key=TAB_KEY, on_change=_remember_tab), summaries,
                        strict=True):
    if tab.open:
        with tab:
            _tab(summary)
