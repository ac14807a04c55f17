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
import re
from collections import Counter
from dataclasses import dataclass, field

from core.errors import ValidationError
from core.timeclock.fields import CONTROL_CHARACTERS, shown

MAX_BYTES = 20 * 1024 * 1024
_CONTROL_IN_LINES = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")  # CONTROL_CHARACTERS but line breaks
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
        self.headline = f"Nothing was imported: {counted(len(errors), 'bad row')}."
        shown_errors = "\n".join(str(e) for e in errors[:_SHOWN_ERRORS])
        hidden = len(errors) - _SHOWN_ERRORS
        more = f"\n… and {hidden} more {counted(hidden, 'bad row', number=False)}" if hidden > 0 else ""
        super().__init__(f"{self.headline}\n{shown_errors}{more}")


def counted(count: int, noun: str, *, number: bool = True) -> str:
    """"1 bad row", "2 bad rows", "3 production quantities" (`number=False`: the noun alone, in the right form)."""
    form = noun if count == 1 else (noun[:-1] + "ies" if noun.endswith("y") else noun + "s")
    return f"{count:,} {form}" if number else form


@dataclass(slots=True)
class CsvRow:
    """One row's cells by column name (stripped), and the problems found while reading it."""

    line: int
    cells: dict[str, str]
    reasons: list[str] = field(default_factory=list)


def read_rows(data: bytes | str, required: tuple[str, ...], optional: tuple[str, ...]) -> list[CsvRow]:
    """The rows of a CSV file (raises CsvImportError when the file as a whole is unusable)."""
    text = _text(data)
    if not text.strip():
        raise _file_error("the file is empty")
    # One search of the whole file spares one per row: only a file with a control character other than a line
    # break, or a row running over several lines (a quoted line break), needs its cells looked at.
    anywhere = _CONTROL_IN_LINES.search(text) is not None
    lines = csv.reader(io.StringIO(text))
    rows = []
    try:
        header = _header(next(lines, []), required, optional)
        ended = lines.line_num
        for cells in lines:
            if cells:  # not a blank line
                rows.append(_row(lines.line_num, cells, header, look=anywhere or lines.line_num > ended + 1))
            ended = lines.line_num
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
        raise _file_error(f"missing {counted(len(missing), 'column', number=False)}: {', '.join(missing)}")
    if unknown := [shown(name, quote="") for name in header if name and name not in required + optional]:
        raise _file_error(f"unknown {counted(len(unknown), 'column', number=False)}: {', '.join(unknown)}")
    if twice := [name for name, count in Counter(header).items() if name and count > 1]:
        raise _file_error(f"{counted(len(twice), 'column', number=False)} named twice: {', '.join(twice)}")
    return header


def _row(line: int, cells: list[str], header: list[str], *, look: bool) -> CsvRow:
    if len(cells) != len(header):
        return CsvRow(line, {}, [f"the row has {len(cells)} fields; the header has {len(header)}"])
    row = CsvRow(line, dict(zip(header, map(str.strip, cells), strict=True)))
    row.cells.pop("", None)  # cells under an unnamed column (a trailing comma in the header) are ignored
    if look and CONTROL_CHARACTERS.search("".join(cells)):
        row.reasons += [
            f"{name or 'an unnamed column'} contains a control character (such as NUL or a tab)"
            for name, cell in zip(header, cells, strict=True) if CONTROL_CHARACTERS.search(cell)
        ]
    return row
