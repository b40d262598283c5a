"""The candidate list paged keys first (selectors.registration_page_rows, core.pagination.
KeysFirst): every page holds exactly the rows of the same slice of the ordered list, for each
sort, whether the keys come from the bounded set (counted at no more than EXACT_COUNT_LIMIT
rows) or from the index walk (a longer or estimated list); never a row of another region."""

import pytest
from django.urls import reverse

from candidates import selectors
from candidates.selectors import registration_count, registration_list, registration_page_rows
from candidates.tests.factories import RegistrationFactory
from core.pagination import KeysFirst
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db

SORTS = ["", "name", "-name", "company", "-company", "personnel_type", "-exam_type", "-candidate_number",
         "id_number"]


@pytest.fixture
def roster(world):
    plans = [ExamPlanFactory(region=world.region_a), ExamPlanFactory(region=world.region_a)]
    # repeated names, companies and types: the order's tie-break (考生编号) decides
    regs = [RegistrationFactory(plan=plans[i % 2], person__name=["张三", "李四", "王五"][i % 3],
                                company_name=["华信", "中通"][i % 2], personnel_type="ABC"[i % 3])
            for i in range(13)]
    RegistrationFactory(plan=ExamPlanFactory(region=world.region_b), person__name="张三")  # never listed
    return regs


def pages(rows, size):
    out = []
    for start in range(0, 20, size):
        out.append([r.pk for r in rows[start:start + size]])
    return out


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("bounded", [True, False])
def test_pages_are_the_slices_of_the_ordered_list(world, roster, monkeypatch, sort, bounded):
    if not bounded:
        monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", 5)  # 13 rows: over it, the index walk
    qs = registration_list(filters={"sort": sort} if sort else {}, fetched_by=world.admin_a)
    expected = list(qs.values_list("pk", flat=True))
    assert len(expected) == 13
    total, estimated = registration_count(qs)
    rows = registration_page_rows(qs, fetched_by=world.admin_a, total=total, estimated=estimated)
    for size in (4, 5, 20):
        got = pages(rows, size)
        assert got == [expected[s:s + size] for s in range(0, 20, size)]
    # the shaped rows carry what the page shows, in one query each page
    first = rows[0:3]
    assert all(hasattr(r, "suspended_until") and r.person.name for r in first)


def test_a_filtered_list_pages_the_same_way_bounded_or_walked(world, roster, monkeypatch):
    qs = registration_list(filters={"name": "张", "sort": "-company"}, fetched_by=world.admin_a)
    bounded = registration_page_rows(qs, fetched_by=world.admin_a, total=5, estimated=False)
    walked = registration_page_rows(qs, fetched_by=world.admin_a, total=50_000, estimated=True)
    expected = list(qs.values_list("pk", flat=True))
    assert [r.pk for r in bounded[0:20]] == [r.pk for r in walked[0:20]] == expected
    assert [r.pk for r in bounded[2:4]] == expected[2:4]


def test_nothing_counted_or_an_invalid_filter_lists_nothing(world, roster):
    qs = registration_list(filters={}, fetched_by=world.admin_a).none()
    assert registration_count(qs) == (0, False)
    assert registration_page_rows(qs, fetched_by=world.admin_a, total=0, estimated=False)[0:20] == []
    # bounded keys over an empty queryset: no statement, no rows
    assert registration_page_rows(qs, fetched_by=world.admin_a, total=3, estimated=False)[0:20] == []


def test_the_rows_are_shaped_under_the_readers_scope(world, roster):
    """Keys of another region's rows (which the list never yields) would not be shown."""
    other = RegistrationFactory(plan=ExamPlanFactory(region=world.region_b))
    mine = roster[0]
    central_qs = registration_list(filters={}, fetched_by=world.central)
    rows = registration_page_rows(central_qs, fetched_by=world.admin_a, total=100_000, estimated=True)
    shown = {r.pk for r in rows[0:50]}
    assert mine.pk in shown and other.pk not in shown


def test_keys_first_puts_rows_back_in_the_keys_order_and_drops_vanished_ones():
    class Obj:
        def __init__(self, pk):
            self.pk = pk

    calls = []
    listing = KeysFirst(keys=lambda start, stop: [5, 3, 9, 1][start:stop],
                        shape=lambda pks: calls.append(pks) or [Obj(pk) for pk in reversed(pks) if pk != 9],
                        count=lambda: 4)
    assert [o.pk for o in listing[0:4]] == [5, 3, 1]
    assert calls == [[5, 3, 9, 1]]
    assert listing[4:8] == [] and len(calls) == 1  # no keys: no second statement
    assert listing.count() == 4
    with pytest.raises(TypeError):
        listing[0]


def test_the_page_shows_page_two_of_a_sorted_list(client, world, roster):
    client.force_login(world.admin_a)
    qs = registration_list(filters={"sort": "-name"}, fetched_by=world.admin_a)
    expected = [r.candidate_number for r in qs[5:10]]
    body = client.get(reverse("candidates:list"), {"sort": "-name", "page_size": 10, "page": 1}).content.decode()
    assert body.count('data-testid="candidate-row"') == 10
    body = client.get(reverse("candidates:list"), {"sort": "-name", "page_size": 10, "page": 2}).content.decode()
    assert body.count('data-testid="candidate-row"') == 3
    first = client.get(reverse("candidates:list"), {"sort": "-name", "page_size": 10}).content.decode()
    positions = [first.index(f">{n}<") for n in expected]
    assert positions == sorted(positions)


def test_the_plan_options_from_the_plans_read_once_match_the_query(world):
    """The filter form reads the visible plans once (selectors.visible_plan_rows) for its 年份
    choices and its 考试批次 options: the same options as the narrowing query."""
    from candidates.selectors import plan_filter_choices, registration_years, visible_plan_rows
    from plans.choices import ExamType

    a1 = ExamPlanFactory(region=world.region_a, exam_type=ExamType.NEW_ONLINE)
    ExamPlanFactory(region=world.region_a, exam_type=ExamType.CONTINUING_ONLINE, days_ahead=400)
    b1 = ExamPlanFactory(region=world.region_b, exam_type=ExamType.NEW_ONLINE)
    year = a1.exam_date.year
    for user in (world.central, world.admin_a):
        rows = visible_plan_rows(fetched_by=user)
        assert registration_years(fetched_by=user, plan_rows=rows) == registration_years(fetched_by=user)
        for narrowing in ({}, {"region": world.region_a}, {"region": world.region_b, "selected": a1},
                          {"exam_year": year}, {"exam_year": year + 1, "exam_type": ExamType.CONTINUING_ONLINE},
                          {"exam_type": ExamType.NEW_ONLINE, "selected": b1.pk}, {"selected": b1}):
            assert (plan_filter_choices(fetched_by=user, plan_rows=rows, **narrowing)
                    == plan_filter_choices(fetched_by=user, **narrowing)), (user, narrowing)
    assert b1.pk not in {pk for pk, *_ in visible_plan_rows(fetched_by=world.admin_a)}
