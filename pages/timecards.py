"""Procore > Timecard: each employee's time per pay ID and cost code, published as timecard entries."""

from __future__ import annotations

from core.models.publishing import PublishModule
from core.ui import page_guard
from core.ui.dashboard import render_dashboard

ctx = page_guard()
render_dashboard(ctx, PublishModule.TIMECARD)
