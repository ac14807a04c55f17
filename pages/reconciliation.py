"""Procore > Reconciliation: the time clock against what Procore holds now, per job site and day."""

from __future__ import annotations

from core.ui import page_guard
from core.ui.reconciliation import render_reconciliation

ctx = page_guard()
render_reconciliation(ctx)
