"""Run many Procore calls at once with a bounded pool of threads, through one client and its pacing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from core.errors import ProcoreConnectError
from core.procore.constants import DEFAULT_WORKERS

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Outcome(Generic[T, R]):
    """What happened to one item: its result, or the product error it raised."""

    item: T
    result: R | None = None
    error: ProcoreConnectError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_concurrently(
    call: Callable[[T], R], items: Iterable[T], *, workers: int = DEFAULT_WORKERS
) -> list[Outcome[T, R]]:
    """Apply `call` to every item with at most `workers` in flight; outcomes come back in item order.

    `call` should use one shared `ProcoreClient`, so every worker goes through the same pacing
    and token refresh. A product error (`ProcoreConnectError`) is kept on the item's outcome and the
    others go on; any other exception is a bug and is raised.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")

    def attempt(item: T) -> Outcome[T, R]:
        try:
            return Outcome(item=item, result=call(item))
        except ProcoreConnectError as error:
            return Outcome(item=item, error=error)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="procore") as pool:
        return list(pool.map(attempt, items))
