"""Bulk work with Python's cyclic garbage collector paused (imports and exports of thousands of
rows).

Such work allocates hundreds of thousands of short-lived containers (cells, row dicts and
tuples) that reference counting frees at once; the cyclic collector still runs every 700
allocations and, as long-lived objects pile up, walks all of them again: a fifth to a third
of a 5,000-row import's CPU time (bench/bench_import.py). Pausing it for the bounded duration of
one bulk operation loses nothing (cycles are collected when it resumes). Nested and concurrent
pauses (threads of one process) are counted: the collector resumes when the last one ends, and
only if it was running before the first."""

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused():
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
