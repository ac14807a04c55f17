"""Procore vs time clock: per job site and day, our totals against what Procore holds now, and why they differ.

`figures` says what each module sums (the one module-specific place),
`compare` matches our entries with Procore's listed records (pure), `sources`
reads both sides (our stored entries; Procore with one list call per project
for the whole range), and `service.reconcile` runs it all.
"""

from core.reconcile.compare import Day, Detail, Finding, Ours
from core.reconcile.service import Reconciliation, reconcile

__all__ = ["Day", "Detail", "Finding", "Ours", "Reconciliation", "reconcile"]
