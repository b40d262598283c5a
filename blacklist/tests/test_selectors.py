import datetime

import pytest
from django.utils import timezone

from blacklist.choices import PenaltyState
from blacklist.models import BlacklistEntry
from blacklist.registrations import conflict_list
from blacklist.selectors import entry_list, penalty_end_for, penalty_ends_for_many
from blacklist.services import entry_revoke
from blacklist.tests.factories import category, make_entry
from candidates.tests.factories import RegistrationFactory
from people.models import IdType
from people.tests.factories import PersonFactory, make_resident_id
from plans.tests.factories import ExamPlanFactory

D = datetime.date
ONE = datetime.timedelta(days=1)


# --------------------------------------------------------------------------- the barred question

@pytest.mark.django_db
def test_penalty_blocks_from_start_through_end_inclusive_and_not_the_day_after(world):
    entry = make_entry(central=world.central, region=world.region_a, start=D(2026, 3, 1), end=D(2027, 2, 28))
    key = {"id_type_id": entry.id_type_id, "id_number": entry.id_number}
    assert penalty_end_for(**key, on_date=D(2026, 2, 28)) is None
    assert penalty_end_for(**key, on_date=D(2026, 3, 1)) == D(2027, 2, 28)
    assert penalty_end_for(**key, on_date=D(2027, 2, 28)) == D(2027, 2, 28)
    assert penalty_end_for(**key, on_date=D(2027, 3, 1)) is None


@pytest.mark.django_db
def test_penalty_defaults_to_today(world):
    today = timezone.localdate()
    running = make_entry(central=world.central, region=world.region_a, start=today - 10 * ONE, end=today)
    ended = make_entry(central=world.central, region=world.region_a, start=today - 10 * ONE, end=today - ONE)
    assert penalty_end_for(id_type_id=running.id_type_id, id_number=running.id_number) == today
    assert penalty_end_for(id_type_id=ended.id_type_id, id_number=ended.id_number) is None


@pytest.mark.django_db
def test_penalty_ends_for_many_matches_type_and_number(world):
    a = make_entry(central=world.central, region=world.region_a, start=D(2026, 1, 1), end=D(2026, 12, 31))
    b = make_entry(central=world.central, region=world.region_b, start=D(2026, 1, 1), end=D(2027, 6, 30))
    revoked = make_entry(central=world.central, region=world.region_b, start=D(2026, 1, 1), end=D(2027, 6, 30))
    entry_revoke(entry=revoked, reason="x", acting_user=world.central)
    passport = IdType.objects.get(code=2)
    keys = [(a.id_type_id, a.id_number), (b.id_type_id, b.id_number), (passport.pk, a.id_number),
            (revoked.id_type_id, revoked.id_number), (a.id_type_id, make_resident_id(999))]
    result = penalty_ends_for_many(keys, on_date=D(2026, 6, 1))
    assert result == {(a.id_type_id, a.id_number): D(2026, 12, 31), (b.id_type_id, b.id_number): D(2027, 6, 30)}
    later = penalty_ends_for_many(keys, on_date=D(2027, 1, 1))
    assert later == {(b.id_type_id, b.id_number): D(2027, 6, 30)}
    assert penalty_ends_for_many([]) == {}


@pytest.mark.django_db
def test_penalty_ends_for_many_handles_more_keys_than_one_query_batch(world):
    entry = make_entry(central=world.central, region=world.region_a)
    keys = [(entry.id_type_id, make_resident_id(3000 + i)) for i in range(1900)] + [(entry.id_type_id, entry.id_number)]
    assert penalty_ends_for_many(keys) == {(entry.id_type_id, entry.id_number): entry.penalty_end}


# --------------------------------------------------------------------------- derived state

@pytest.mark.django_db
def test_state_is_derived_from_dates_and_status(world):
    entry = make_entry(central=world.central, region=world.region_a, start=D(2026, 3, 1), end=D(2026, 8, 31))
    assert entry.state(D(2026, 2, 28)) == PenaltyState.NOT_STARTED
    assert entry.state(D(2026, 3, 1)) == PenaltyState.RUNNING
    assert entry.state(D(2026, 8, 31)) == PenaltyState.RUNNING
    assert entry.state(D(2026, 9, 1)) == PenaltyState.EXPIRED
    assert entry.state_label(D(2026, 9, 1)) == "已期满"
    qs = BlacklistEntry.objects.all()
    for day, state in [(D(2026, 2, 28), PenaltyState.NOT_STARTED), (D(2026, 3, 1), PenaltyState.RUNNING),
                       (D(2026, 9, 1), PenaltyState.EXPIRED)]:
        assert list(qs.in_state(state, day)) == [entry]
        others = {s for s in PenaltyState.values if s != state}
        assert all(not qs.in_state(s, day).exists() for s in others)
    entry_revoke(entry=entry, reason="x", acting_user=world.central)
    assert list(qs.in_state(PenaltyState.REVOKED, D(2026, 3, 1))) == [entry]
    assert not qs.in_state(PenaltyState.RUNNING, D(2026, 3, 1)).exists()


# --------------------------------------------------------------------------- who sees what

@pytest.mark.django_db
def test_central_sees_every_entry_regions_their_own_candidates_none(world):
    a = make_entry(central=world.central, region=world.region_a)
    b = make_entry(central=world.central, region=world.region_b)
    assert set(BlacklistEntry.objects.visible_to(world.central)) == {a, b}
    assert set(BlacklistEntry.objects.visible_to(world.admin_a)) == {a}
    assert set(BlacklistEntry.objects.visible_to(world.admin_b)) == {b}
    assert not BlacklistEntry.objects.visible_to(world.candidate).exists()
    from django.contrib.auth.models import AnonymousUser

    assert not BlacklistEntry.objects.visible_to(AnonymousUser()).exists()
    world.admin_a.is_active = False
    assert not BlacklistEntry.objects.visible_to(world.admin_a).exists()


@pytest.mark.django_db
def test_region_b_never_sees_region_a_entry_even_after_registering_the_person(world):
    person = PersonFactory()
    RegistrationFactory(person=person, plan=ExamPlanFactory(region=world.region_a))
    entry = make_entry(central=world.central, region=world.region_a, person=person)
    RegistrationFactory(person=person, plan=ExamPlanFactory(region=world.region_b))
    assert not BlacklistEntry.objects.visible_to(world.admin_b).exists()
    assert list(BlacklistEntry.objects.visible_to(world.admin_a)) == [entry]
    assert list(BlacklistEntry.objects.visible_to(world.central)) == [entry]
    # what B may know: barred, and until when
    assert penalty_ends_for_many([(person.id_type_id, person.id_number)]) == {
        (person.id_type_id, person.id_number): entry.penalty_end}


# --------------------------------------------------------------------------- list filters

@pytest.mark.django_db
def test_entry_list_filters(world):
    today = timezone.localdate()
    running = make_entry(central=world.central, region=world.region_a, name="张三", category_name="替考",
                         start=today - 30 * ONE, end=today + 30 * ONE)
    expired = make_entry(central=world.central, region=world.region_b, name="李四",
                         start=D(2020, 1, 1), end=D(2020, 12, 31))

    def ids(**filters):
        return {e.pk for e in entry_list(filters=filters, fetched_by=world.central)}

    assert ids(name="张") == {running.pk}
    assert ids(id_number=running.id_number.lower()) == {running.pk}
    assert ids(id_number=running.id_number[:10]) == set()  # exact, never partial
    assert ids(category=category("替考")) == {running.pk}
    assert ids(state=PenaltyState.RUNNING) == {running.pk}
    assert ids(state=PenaltyState.EXPIRED) == {expired.pk}
    assert ids(period_from=D(2020, 6, 1), period_to=D(2020, 6, 1)) == {expired.pk}
    assert ids(period_from=today) == {running.pk}
    assert ids(region=world.region_b) == {expired.pk}
    assert {e.pk for e in entry_list(filters={}, fetched_by=world.admin_a)} == {running.pk}


# --------------------------------------------------------------------------- conflicts

@pytest.mark.django_db
def test_conflicts_are_registrations_in_plans_not_started_whose_penalty_overlaps_until_exam_day(world):
    today = timezone.localdate()
    future = ExamPlanFactory(region=world.region_a, days_ahead=20)
    started = ExamPlanFactory(region=world.region_a, days_ahead=-1)

    def person_with(start, end, plan=future, revoke=False):
        person = PersonFactory()
        reg = RegistrationFactory(person=person, plan=plan)
        entry = make_entry(central=world.central, region=world.region_a, person=person, start=start, end=end)
        if revoke:
            entry_revoke(entry=entry, reason="x", acting_user=world.central)
        return reg, entry

    running_now, e1 = person_with(today - 5 * ONE, today + 100 * ONE)
    ends_before_exam, _ = person_with(today - 5 * ONE, today + 5 * ONE)
    starts_before_exam, _ = person_with(today + 10 * ONE, today + 60 * ONE)
    starts_after_exam, _ = person_with(today + 21 * ONE, today + 60 * ONE)
    ended_yesterday, _ = person_with(today - 50 * ONE, today - ONE)
    revoked, _ = person_with(today - 5 * ONE, today + 100 * ONE, revoke=True)
    in_started_plan, _ = person_with(today - 5 * ONE, today + 100 * ONE, plan=started)

    rows = list(conflict_list(fetched_by=world.central))
    assert {r.pk for r in rows} == {running_now.pk, ends_before_exam.pk, starts_before_exam.pk}
    assert {r.pk: r.blocking_entry_id for r in rows}[running_now.pk] == e1.pk
    assert not {starts_after_exam.pk, ended_yesterday.pk, revoked.pk, in_started_plan.pk} & {r.pk for r in rows}
