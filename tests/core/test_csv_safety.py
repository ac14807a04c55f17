from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from core.csv_safety import csv_download, safe_cell


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        pytest.param("=CMD()", "'=CMD()", id="equals"),
        pytest.param("+1+1", "'+1+1", id="plus"),
        pytest.param("-2+3", "'-2+3", id="minus"),
        pytest.param("@SUM(A1)", "'@SUM(A1)", id="at"),
        pytest.param("\t=1", "'\t=1", id="tab"),
        pytest.param("\r=1", "'\r=1", id="carriage return"),
        pytest.param("Main St = north", "Main St = north", id="formula sign later in the text"),
        pytest.param("", "", id="empty"),
        pytest.param(-3.5, -3.5, id="a number stays a number"),
        pytest.param(None, None, id="missing"),
    ],
)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(cell: object, expected: object) -> None:
    assert safe_cell(cell) == expected


def test_download_neutralises_text_cells_and_keeps_numbers() -> None:
    frame = pd.DataFrame({"employee": ["=HYPERLINK(\"http://x\")", "Ana"], "hours": [-3.5, 8.0],
                          "count": [-2, 3], "code": ["-03-100", "03-100"]})

    rows = list(csv.reader(io.StringIO(csv_download(frame).decode())))

    assert rows == [
        ["employee", "hours", "count", "code"],
        ["'=HYPERLINK(\"http://x\")", "-3.5", "-2", "'-03-100"],
        ["Ana", "8.0", "3", "03-100"],
    ]
