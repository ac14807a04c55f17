"""Reading an uploaded CSV file into rows of text cells, refusing what is not a well-formed table.

The file must be UTF-8, at most `MAX_BYTES`, with a header naming the required
columns (and only known ones, each once), and every row as wide as the header.
No cell may hold a control character. Problems that spoil the whole file stop
at line 1 (or where the file cannot be read on); row problems are kept with
their row, so the importer can report every problem of every row at once.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from core.errors import ValidationError
from core.timeclock.fields import CONTROL_CHARACTERS, shown

MAX_BYTES = 20 * 1024 * 1024
_SHOWN_ERRORS = 20


@dataclass(frozen=True)
class RowError:
    line: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: " + "; ".join(self.reasons)


class CsvImportError(ValidationError):
    """The file was refused; `errors` lists each bad row. Nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown_errors = "\n".join(str(e) for e in errors[:_SHOWN_ERRORS])
        more = f"\n… and {len(errors) - _SHOWN_ERRORS} more bad rows" if len(errors) > _SHOWN_ERRORS else ""
        super().__init__(f"Nothing was imported: {len(errors)} bad row(s).\n{shown_errors}{more}")


@dataclass(slots=True)
class CsvRow:
    """One row's cells by column name (stripped), and the problems found while reading it."""

    line: int
    cells: dict[str, str]
    reasons: list[str] = field(default_factory=list)


def read_rows(data: bytes | str, required: tuple[str, ...], optional: tuple[str, ...]) -> list[CsvRow]:
    """The rows of a CSV file (raises CsvImportError when the file as a whole is unusable)."""
    lines = csv.reader(io.StringIO(_text(data)))
    rows = []
    try:
        header = _header(next(lines, []), required, optional)
        for cells in lines:
            if cells:  # a blank line
                rows.append(_row(lines.line_num, cells, header))
    except csv.Error as error:
        raise CsvImportError([RowError(lines.line_num, (f"the file cannot be read on from here: {error}",))]) from None
    if not rows:
        raise _file_error("the file has a header but no rows")
    return rows


def _file_error(reason: str) -> CsvImportError:
    return CsvImportError([RowError(1, (reason,))])


def _text(data: bytes | str) -> str:
    size = len(data.encode() if isinstance(data, str) else data)
    if size > MAX_BYTES:
        raise _file_error(f"the file is {size / 1024 / 1024:.1f} MB; at most {MAX_BYTES // 1024 // 1024} MB is read")
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error("the file is not UTF-8 text") from None


def _header(cells: list[str], required: tuple[str, ...], optional: tuple[str, ...]) -> list[str]:
    header = [name.strip().lower() for name in cells]
    if missing := [name for name in required if name not in header]:
        raise _file_error(f"missing column(s): {', '.join(missing)}")
    if unknown := [shown(name, quote="") for name in header if name and name not in required + optional]:
        raise _file_error(f"unknown column(s): {', '.join(unknown)}")
    if twice := [name for name, count in Counter(header).items() if name and count > 1]:
        raise _file_error(f"column(s) named twice: {', '.join(twice)}")
    return header


def _row(line: int, cells: list[str], header: list[str]) -> CsvRow:
    if len(cells) != len(header):
        return CsvRow(line, {}, [f"the row has {len(cells)} fields; the header has {len(header)}"])
    row = CsvRow(line, dict(zip(header, map(str.strip, cells), strict=True)))
    row.cells.pop("", None)  # cells under an unnamed column (a trailing comma in the header) are ignored
    if CONTROL_CHARACTERS.search("".join(cells)):  # one search per row; name the cells only when it finds one
        row.reasons += [
            f"{name or 'an unnamed column'} contains a control character (such as NUL or a tab)"
            for name, cell in zip(header, cells, strict=True) if CONTROL_CHARACTERS.search(cell)
        ]
    return row
