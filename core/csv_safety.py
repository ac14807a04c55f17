"""CSV downloads that a spreadsheet opens as data: text that would run as a formula is neutralised.

Excel, LibreOffice and Google Sheets run a cell starting with `=`, `+`, `-` or
`@` (and, after a leading tab or carriage return, whatever follows) as a
formula, so a name or code typed as `=HYPERLINK(...)` would run on the machine
of whoever opens the download. Such text cells get a leading `'`, which the
spreadsheet shows as plain text (OWASP's advice for CSV injection). Numeric
columns are left alone: -3.5 stays a number.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value`, with a leading `'` when it is text a spreadsheet would run as a formula."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells cannot run as formulas (numbers, dates and booleans untouched)."""
    safe = frame.copy()
    for name, column in safe.items():
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)):
            safe[name] = column.map(safe_cell)
    return safe


def csv_download(frame: pd.DataFrame) -> bytes:
    """`frame` as UTF-8 CSV bytes for a download button, safe to open in a spreadsheet."""
    return spreadsheet_safe(frame).to_csv(index=False).encode()
