"""Getting started: the steps from a fresh install to a first publish, each with its real state and a link."""

from __future__ import annotations

import streamlit as st

from core.getting_started import steps
from core.ui import page_guard
from core.ui.getting_started import show_steps

ctx = page_guard()
st.title("Getting started")
st.caption("Procore Connect publishes your time clock to Procore. The time clock pages (Time logs, Job sites, "
           "Employees, Payroll…) work on their own; these steps connect Procore, in order.")
with ctx.session() as session:
    found = steps(session)
show_steps(found)
