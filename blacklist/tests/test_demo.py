import pytest

from blacklist import demo
from blacklist.choices import PenaltyState
from blacklist.models import BlacklistEntry


@pytest.mark.django_db
def test_demo_creates_entries_in_every_state_once():
    from accounts import demo as accounts_demo

    accounts_demo.load(None)
    demo.load(None)
    entries = list(BlacklistEntry.objects.all())
    assert len(entries) == len(demo.DEMO_ENTRIES)
    assert {e.state() for e in entries} == set(PenaltyState.values)
    assert {e.region.code for e in entries} == {"11", "44"}
    assert all(e.created_by.username == "center" for e in entries)
    demo.load(None)
    assert BlacklistEntry.objects.count() == len(demo.DEMO_ENTRIES)
