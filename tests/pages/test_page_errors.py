"""Whatever error a page meets, the person sees a plain message: ours as worded, anything else with a
reference the server log holds, and never a traceback, a path or a secret."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

SCRIPT = str(Path(__file__).with_name("page_error_script.py"))


def _run(kind: str) -> AppTest:
    at = AppTest.from_file(SCRIPT, default_timeout=30)
    at.session_state["PAGE_ERROR"] = kind
    return at.run()


def test_our_error_is_shown_as_worded() -> None:
    at = _run("ours")

    assert not at.exception
    assert [e.value for e in at.error] == ["The break is as long as the time log or longer."]


def test_an_unexpected_error_shows_a_reference_and_nothing_of_the_code(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="core.ui.page_errors")

    at = _run("unexpected")

    assert not at.exception
    (shown,) = [e.value for e in at.error]
    assert shown.startswith("This page stopped because of an error on the server.")
    assert not any(word in shown for word in ("boom", "/srv", "abc123", "Traceback"))
    reference = shown.rsplit(" ", 1)[1].rstrip(".")
    (record,) = caplog.records
    assert reference in record.getMessage()
    assert "RuntimeError" in record.getMessage()
    assert "abc123" not in record.getMessage()  # the log is redacted too


def test_a_rerun_is_not_an_error() -> None:
    at = _run("rerun")

    assert not at.exception
    assert not at.error
    assert [m.value for m in at.markdown] == ["before the error", "after"]
