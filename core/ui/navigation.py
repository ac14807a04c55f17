"""The app's navigation: sections and pages, listing only page scripts that exist."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import streamlit as st

from core.config import PROJECT_ROOT


class PageSpec(NamedTuple):
    script: str  # relative to the project root
    title: str
    icon: str


SECTIONS: dict[str, tuple[PageSpec, ...]] = {
    "Time clock": (
        PageSpec("pages/time_logs.py", "Time logs", ":material/schedule:"),
        PageSpec("pages/job_sites.py", "Job sites", ":material/construction:"),
        PageSpec("pages/employees.py", "Employees", ":material/badge:"),
        PageSpec("pages/cost_codes.py", "Cost codes", ":material/sell:"),
        PageSpec("pages/companies.py", "Companies and crews", ":material/apartment:"),
    ),
    "Administration": (
        PageSpec("pages/role_permissions.py", "Role permissions", ":material/admin_panel_settings:"),
    ),
}


def build_navigation(root: Path = PROJECT_ROOT) -> dict[str, list[st.Page]]:
    """Sections of `st.Page`s for `st.navigation`, skipping scripts that do not exist."""
    sections: dict[str, list[st.Page]] = {}
    for section, specs in SECTIONS.items():
        pages = [
            st.Page(spec.script, title=spec.title, icon=spec.icon)
            for spec in specs
            if (root / spec.script).exists()
        ]
        if pages:
            sections[section] = pages
    return sections
