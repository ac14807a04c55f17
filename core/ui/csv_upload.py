"""A CSV upload for the time clock's pages: all rows or none, each bad row listed with its line number."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st
from sqlmodel import Session

from core.access import Identity
from core.errors import ProcoreConnectError
from core.timeclock.csv_import import CsvImportError, ImportResult
from core.ui.freshness import written
from core.ui.guard import PageContext

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
        st.error(error.headline)
        st.dataframe([{"line": e.line, "reasons": "; ".join(e.reasons)} for e in error.errors], hide_index=True)
    except ProcoreConnectError as error:
        st.error(str(error))
    else:
        written(place, result.message)


def _run(importer: Importer, session: Session, data: bytes, actor: Identity) -> ImportResult:
    return importer(session, data=data, actor=actor)
