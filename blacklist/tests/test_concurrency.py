"""Two central users adding the same document at the same moment (PostgreSQL: the advisory
lock in _check_no_overlap). SQLite serialises writers with IMMEDIATE transactions."""

import threading

import pytest
from django.db import connection, connections

from blacklist.models import BlacklistEntry
from blacklist.tests.factories import make_entry
from core.errors import ApplicationError
from people.tests.factories import make_resident_id

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL (run with DATABASE_URL=postgres://…)")


def test_two_decisions_on_one_document_racing_store_one_entry(world):
    number = make_resident_id(4242, area="110105")
    barrier = threading.Barrier(4)
    results: list = []

    def add():
        try:
            barrier.wait()
            results.append(make_entry(central=world.central, region=world.region_a, id_number=number).pk)
        except ApplicationError as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert BlacklistEntry.objects.filter(id_number=number).count() == 1
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(refused) == 3 and all("处罚期重叠" in str(r) for r in refused)
