"""core.gc.collector_paused (nested and concurrent pauses are counted) and core.lookups'
field__any_of (one array parameter on PostgreSQL, an IN list elsewhere: the same rows)."""

import gc
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.gc import collector_paused
from people.models import IdType, Person


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


@pytest.mark.django_db
def test_any_of_finds_the_same_rows_as_in():
    id_type = IdType.objects.get(code=1)
    numbers = [f"P{i:07d}" for i in range(30)]
    Person.objects.bulk_create(Person(id_type=id_type, id_number=n, name="张三") for n in numbers)
    wanted = numbers[3:20] + ["NOSUCH"]
    with CaptureQueriesContext(connection) as captured:
        found = sorted(Person.objects.filter(id_number__any_of=wanted).values_list("id_number", flat=True))
    assert found == sorted(numbers[3:20])
    assert found == sorted(Person.objects.filter(id_number__in=wanted).values_list("id_number", flat=True))
    sql = captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql
    assert list(Person.objects.filter(id_number__any_of=[])) == []
