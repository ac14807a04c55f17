from __future__ import annotations

import gc
import threading

from core.aggregation.collection import collection_paused


def test_the_collector_is_off_inside_nested_blocks_and_back_on_after_the_last() -> None:
    assert gc.isenabled()
    with collection_paused():
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_block_ending_in_another_thread_leaves_the_collector_off_while_one_is_still_open() -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with collection_paused():
            inside.set()
            release.wait(timeout=10)

    worker = threading.Thread(target=other)
    with collection_paused():
        worker.start()
        inside.wait(timeout=10)
    assert not gc.isenabled()  # the other thread's block is still open
    release.set()
    worker.join(timeout=10)
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_process_stays_off() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_error_inside_the_block_turns_the_collector_back_on() -> None:
    try:
        with collection_paused():
            raise ValueError("stop")
    except ValueError:
        pass
    assert gc.isenabled()
