"""Python's cyclic garbage collector paused around whole-range work that creates millions of small objects.

Building a million entries makes millions of lists, strings and tuples that live
until the refresh ends. Each of them counts towards the collector's next run, and
the full runs it triggers walk every object alive, again and again as the heap
grows: on a week of entries that is a sixth of the CPU time, and it grows faster
than the entries. Nothing built there forms reference cycles, so plain reference
counting frees it all the same; the collector runs again as soon as the last
paused block ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0  # blocks inside `collection_paused`, in every thread
_was_enabled = True


@contextmanager
def collection_paused() -> Iterator[None]:
    """Automatic garbage collection off inside the block (blocks may nest and overlap across threads)."""
    global _paused, _was_enabled  # noqa: PLW0603 - one switch for the whole process, as gc's own
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
