"""A run's problems as a list: each reason with its count, and a link to the page that fixes it.

The same list as under every outcome (`core.ui.outcome.show_reasons`), fed from a frame.
"""

from __future__ import annotations

import pandas as pd

from core.outcomes import RETRIED, reasons_of_frame
from core.ui.outcome import show_reasons

NO_FIX_PAGE = RETRIED


def show_problems(problems: pd.DataFrame) -> None:
    """`problems` as `core.jobs.history.run_problems` gives them (reason, entries, place)."""
    show_reasons(reasons_of_frame(problems))
