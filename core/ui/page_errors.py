"""The app's last line: whatever error a page meets ends as a plain message, never a traceback.

Our own errors (`ProcoreConnectError` and its kinds) are worded for people and shown as they are. Anything
else is logged on the server, redacted, with a short reference, and the page says it stopped and gives the
reference, so an admin can find the details without the browser ever showing code, paths or secrets.
Streamlit's own reruns and stops are not errors (they derive from BaseException) and pass through.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

import streamlit as st

from core.errors import ProcoreConnectError
from core.procore.redaction import redact

log = logging.getLogger(__name__)


@contextmanager
def plain_errors() -> Iterator[None]:
    """Run a page: its errors end as one plain message (see the module docstring)."""
    try:
        yield
    except ProcoreConnectError as error:
        st.error(str(error))
    except Exception as error:  # noqa: BLE001 - the one place a page's unexpected failure becomes a plain message
        reference = uuid4().hex[:8]
        log.error("page stopped (reference %s): %s", reference,
                  redact("".join(traceback.format_exception(error))))
        st.error(f"This page stopped because of an error on the server. Nothing more was done after it. "
                 f"If it happens again, give an admin this reference: {reference}.")
