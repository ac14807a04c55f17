"""The recorder writes the results that end close together in one pass (a pass costs about what its writes do)."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from queue import SimpleQueue

from core.publishing.engine import GATHER_FOR, _ready
from core.publishing.writer import Result


def _ended() -> Future[list[Result]]:
    future: Future[list[Result]] = Future()
    future.set_result([])
    return future


def test_results_ending_just_after_the_first_are_recorded_with_it() -> None:
    ended: SimpleQueue[Future[list[Result]]] = SimpleQueue()
    first, second, late = _ended(), _ended(), _ended()
    ended.put(first)
    soon = threading.Timer(GATHER_FOR / 10, ended.put, [second])
    soon.start()
    try:
        assert _ready(ended, waiting=3) == [first, second]  # the third has not ended: the pass does not wait on
    finally:
        soon.join()
    ended.put(late)
    assert _ready(ended, waiting=1) == [late]  # the last one: recorded at once
