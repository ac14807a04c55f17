"""Argument types and checks shared by the commands: dates in a sane window, bounded positive numbers.

Every value is checked while the command line is parsed, before any command opens the database,
so a refused argument never leaves anything written.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import NoReturn

from core.errors import ValidationError

EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)
MAX_RANGE_DAYS = 366  # one date range of publish / status: a year at most
MAX_PROCORE_ID = 2**63 - 1  # Procore ids are 64-bit
MAX_LOCAL_ID = 2**63 - 1  # our own ids (BIGINT on PostgreSQL, INTEGER on SQLite)


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one `error: …` line on stderr (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {' '.join(message.split())} (see {self.prog} --help)\n")


def day(text: str) -> dt.date:
    """A date like 2026-11-16 between 2000-01-01 and 2100-12-31."""
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{_shown(text)}' is not a date like 2026-11-16") from None
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise argparse.ArgumentTypeError(f"{value} is outside {EARLIEST_DAY} .. {LATEST_DAY}")
    return value


def bounded(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argument type: a whole number from `minimum` to `maximum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{_shown(text)}' is not a whole number") from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"{value} is not between {minimum:,} and {maximum:,}")
        return value

    parse.__name__ = "number"  # argparse names the type in its messages
    return parse


procore_id = bounded(1, MAX_PROCORE_ID)
local_id = bounded(1, MAX_LOCAL_ID)


def text_value(max_length: int) -> Callable[[str], str]:
    """An argument type: text of at most `max_length` characters, without control characters."""

    def parse(text: str) -> str:
        if not text.strip() or len(text) > max_length or any(ord(c) < 32 or ord(c) == 127 for c in text):
            raise argparse.ArgumentTypeError(
                f"'{_shown(text)}' must be 1 to {max_length} characters without control characters"
            )
        return text

    parse.__name__ = "text"
    return parse


def check_range(start: dt.date, end: dt.date) -> None:
    """Refuse a range that ends before it starts or spans more than MAX_RANGE_DAYS days."""
    if end < start:
        raise ValidationError(f"--to {end} is before --from {start}.")
    days = (end - start).days + 1
    if days > MAX_RANGE_DAYS:
        raise ValidationError(f"--from {start} --to {end} spans {days:,} days; give at most {MAX_RANGE_DAYS}.")


def _shown(text: str, limit: int = 40) -> str:
    """The argument as it may be echoed: control characters escaped, cut to `limit` characters."""
    printable = text.encode("unicode_escape").decode("ascii")
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"
