"""A CSV upload for the time clock's pages: all rows or none, each bad row listed with its line number.

How it ended is said by the outcome component (`core.ui.outcome`): the count imported in green, or the
bad rows in red with their reasons grouped, above the table of lines. The page shows a kept outcome near
its top with `show_kept_outcome(place)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.access import Identity
from core.errors import ProcoreConnectError
from core.outcomes import of_refused_upload, of_upload
from core.timeclock.csv_import import CsvImportError, ImportResult
from core.ui.guard import PageContext
from core.ui.outcome import outcome_written, show_outcome
from core.ui.widgets import show_table

Importer = Callable[..., ImportResult]


def csv_upload(ctx: PageContext, *, key: str, columns: Sequence[str], importer: Importer, place: str) -> None:
    """An uploader and Import button; a good file is written, then the page reruns to show it."""
    st.caption("Columns: " + ", ".join(columns) + ". A file with any bad row imports nothing; each bad row is "
               "listed with its line number.")
    upload = st.file_uploader("CSV file", type=["csv"], key=key)
    if upload is None or not st.button("Import", key=f"{key}_go", type="primary"):
        return
    try:
        with ctx.session() as session:
            result = _run(importer, session, upload.getvalue(), ctx.identity)
    except CsvImportError as error:
        show_outcome(of_refused_upload(error))
        show_table(pd.DataFrame([{"line": e.line, "reasons": "; ".join(e.reasons)} for e in error.errors]))
    except ProcoreConnectError as error:
        st.error(str(error))
    else:
        outcome_written(place, of_upload(result))


def _run(importer: Importer, session: Session, data: bytes, actor: Identity) -> ImportResult:
    return importer(session, data=data, actor=actor)
