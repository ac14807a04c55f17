"""The two-way import on Procore setup: field owners, a preview of what it would change, then apply.

The preview is computed by `core.sync.import_preview` (nothing is written) and
kept in session state until the admin applies it or cancels; applying runs the
import again with the admin's choice, so it never writes from a stale preview.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import ProcoreConnectError
from core.outcomes import of_import
from core.sync.import_changes import GROUPS, ChangeKind, Owner, RecordChange
from core.sync.import_owners import load_owners, save_owners
from core.sync.import_preview import ImportPreview, field_text, moving_text, preview_import
from core.sync.importer import run_import
from core.ui.flash import show_flash
from core.ui.freshness import written
from core.ui.guard import PageContext
from core.ui.outcome import outcome_written, show_kept_outcome
from core.ui.widgets import show_table

PLACE = "import_preview"
_PREVIEW_KEY = "import_preview_result"
_REPORT_KEY = "import_preview_report"
OWNER_LABELS = {Owner.ASK: "Ask me in the preview", Owner.PROCORE: "Procore owns them", Owner.OURS: "We own them"}


def import_panel(ctx: PageContext, *, company_id: int) -> None:
    """Owners, Preview import, and the preview with its Apply buttons."""
    show_flash(PLACE)
    show_kept_outcome(PLACE)
    st.write("Imports vendors (as companies), projects (as job sites), employees, cost codes and payroll items. "
             "Preview first: nothing changes until you apply.")
    _owners_form(ctx)
    if st.button("Preview import", type="primary", key="import_preview_go"):
        _compute(ctx, company_id)
    preview: ImportPreview | None = st.session_state.get(_PREVIEW_KEY)
    if preview is not None:
        _show(ctx, preview, company_id)
    if _REPORT_KEY in st.session_state:
        show_table(pd.DataFrame(st.session_state[_REPORT_KEY]))


def _owners_form(ctx: PageContext) -> None:
    with ctx.session() as session:
        owners = load_owners(session)
    with st.expander("Who owns names and time zones"), st.form("import_owners"):
        chosen: dict[str, Owner | str] = {
            group: st.selectbox(group.replace("_", " ").capitalize(), list(Owner), format_func=OWNER_LABELS.__getitem__,
                                index=list(Owner).index(owners[group]), key=f"import_owner_{group}") or Owner.ASK
            for group in GROUPS
        }
        if st.form_submit_button("Save owners"):
            with ctx.session() as session:
                save_owners(session, owners=chosen, actor=ctx.identity)
            st.session_state.pop(_PREVIEW_KEY, None)
            written(PLACE, "Owners saved. Preview the import again to see what it would change.")


def _compute(ctx: PageContext, company_id: int) -> None:
    st.session_state.pop(_REPORT_KEY, None)
    with st.status("Reading Procore…", expanded=False) as status:
        try:
            st.session_state[_PREVIEW_KEY] = preview_import(ctx.settings, ctx.engine, actor=ctx.identity,
                                                            company_id=company_id, progress=st.write)
            status.update(label="Preview ready", state="complete")
        except ProcoreConnectError as error:
            status.update(label="Preview stopped", state="error")
            st.error(str(error))


def _show(ctx: PageContext, preview: ImportPreview, company_id: int) -> None:
    st.subheader("What the import would change")
    if preview.empty:
        st.success("Nothing to change: our lists match Procore's.")
        return
    for kind in ChangeKind:
        found = preview.of_kind(kind)
        if not found:
            continue
        st.markdown(f"**{kind.value.capitalize()}: {len(found)}**")
        if kind is ChangeKind.CHANGED:
            st.markdown("\n".join(f"- {_changed_text(change)}" for change in found))
        else:
            show_table(pd.DataFrame([{"list": c.list_name, "record": c.record} for c in found]))
    if preview.moving:
        st.warning(f"{len(preview.moving)} job site(s) would get a new time zone: {preview.moved_logs} time logs "
                   f"move to another work date and {preview.updated_entries} published entries become Updated "
                   "(republish them afterwards).")
    row = st.container(horizontal=True)
    if row.button("Apply all", type="primary", key="import_apply_all"):
        _apply(ctx, company_id, apply_moving=True)
    if preview.moving and row.button("Apply without the changes that move published work",
                                     key="import_apply_without_moving"):
        _apply(ctx, company_id, apply_moving=False)
    if row.button("Cancel", key="import_cancel"):
        st.session_state.pop(_PREVIEW_KEY, None)
        st.rerun()


def _changed_text(change: RecordChange) -> str:
    parts = [field_text(f) for f in change.fields] + ([moving_text(change)] if change.moved_logs else [])
    return f"{change.list_name} · **{change.record}**: " + "; ".join(parts)


def _apply(ctx: PageContext, company_id: int, *, apply_moving: bool) -> None:
    with st.status("Importing from Procore…", expanded=True) as status:
        try:
            report = run_import(ctx.settings, ctx.engine, actor=ctx.identity, company_id=company_id,
                                progress=st.write, apply_moving=apply_moving)
        except ProcoreConnectError as error:
            status.update(label="Import stopped", state="error")
            st.error(f"{error} What was imported so far is kept; preview and apply again to continue.")
            return
    st.session_state.pop(_PREVIEW_KEY, None)
    st.session_state[_REPORT_KEY] = report.rows()
    outcome_written(PLACE, of_import(report))
