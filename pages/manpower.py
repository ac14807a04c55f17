"""Procore > Manpower: crews and hours per job site and day, published as daily log manpower."""

from __future__ import annotations

from core.models.publishing import PublishModule
from core.ui import page_guard
from core.ui.dashboard import render_dashboard

ctx = page_guard()
render_dashboard(ctx, PublishModule.MANPOWER)
