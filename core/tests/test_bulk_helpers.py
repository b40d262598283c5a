"""core.gc.collector_paused: nested and concurrent pauses are counted (field__any_of, which
needs a model, is tested in people/tests/test_any_of.py: core imports no domain app)."""

import gc
import threading

import pytest

from core.gc import collector_paused


def test_the_collector_resumes_when_the_last_pause_ends():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause is still on
    assert gc.isenabled()


def test_a_pause_ends_even_on_an_error_and_keeps_a_disabled_collector_disabled():
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: left off
    finally:
        gc.enable()


def test_concurrent_pauses_in_threads():
    entered, release = threading.Event(), threading.Event()

    def other():
        with collector_paused():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    entered.wait(5)
    with collector_paused():
        pass
    assert not gc.isenabled()  # the other thread's pause is still running
    release.set()
    thread.join(5)
    assert gc.isenabled()
