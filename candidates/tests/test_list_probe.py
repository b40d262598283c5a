"""A long list filtered by 企业名称 contains, paged by the bounded probe (docs/decisions.md#list-contains-probe):
every page holds exactly the rows of the same slice of the ordered list, whether the probe's
walk yields the whole page or falls short and the filtered rows are found and sorted instead;
for each sort, on SQLite and on PostgreSQL; never a row of another region."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates import selectors
from candidates.selectors import registration_count, registration_list, registration_page_rows
from candidates.tests.factories import RegistrationFactory
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db

SORTS = ["", "name", "-name", "company", "-company", "personnel_type", "-exam_type", "-candidate_number"]


@pytest.fixture
def roster(world):
    """Region A: 24 rows over two plans, every third one of 华信…; matches late and early in
    the 考生编号 order. Region B: matching rows first in the order (never in A's list)."""
    other = ExamPlanFactory(region=world.region_b, batch_no="0000000001")  # sorts before A's plans
    foreign = [RegistrationFactory(plan=other, company_name="华信通信工程有限公司") for _ in range(4)]
    plans = [ExamPlanFactory(region=world.region_a), ExamPlanFactory(region=world.region_a)]
    regs = [RegistrationFactory(plan=plans[i % 2], person__name=["张三", "李四", "王五"][i % 3],
                                company_name=["华信通信工程有限公司", "中通建设有限公司", "北京华信电力有限公司"][i % 3],
                                personnel_type="ABC"[i % 3])
            for i in range(24)]
    return {"regs": regs, "foreign": foreign}


def keys_statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "pk" FROM (SELECT')]


def page_rows(qs, user):
    total, estimated = registration_count(qs)
    return registration_page_rows(qs, fetched_by=user, total=total, estimated=estimated)


@pytest.fixture
def long_list(monkeypatch):
    """Over EXACT_COUNT_LIMIT: the list is 'long' (the probe's case)."""
    monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", 3)


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("probe_rows", [1000, 4])
def test_pages_are_the_slices_of_the_ordered_list(world, roster, long_list, monkeypatch, sort, probe_rows):
    """1000: the probe walks every row and yields each full page; 4 (and PROBE_PAGES 1): it
    walks as many rows as the page's end and falls short on most pages, whose rows are then
    found by the filter and sorted."""
    monkeypatch.setattr(selectors, "PROBE_ROWS", probe_rows)
    monkeypatch.setattr(selectors, "PROBE_PAGES", 1)
    filters = {"company_name": "华信", **({"sort": sort} if sort else {})}
    fell_short = 0
    for user in (world.admin_a, world.central):
        qs = registration_list(filters=filters, fetched_by=user)
        expected = list(qs.values_list("pk", flat=True))
        assert len(expected) == (16 if user == world.admin_a else 20)
        rows = page_rows(qs, user)
        for size in (3, 5, 20):
            for start in range(0, 24, size):
                with CaptureQueriesContext(connection) as captured:
                    got = [r.pk for r in rows[start:start + size]]
                assert got == expected[start:start + size], (user, size, start)
                statements = keys_statements(captured)
                # the probe first; a second keys statement only when it fell short
                assert "LIKE" in statements[0] and "LIMIT" in statements[0] and len(statements) in (1, 2)
                fell_short += len(statements) == 2
                if probe_rows == 1000 and len(expected[start:start + size]) == size:
                    assert len(statements) == 1, (user, size, start)
    assert fell_short >= (4 if probe_rows == 4 else 1)


def test_the_probe_alone_serves_a_dense_first_page(world, roster, long_list):
    """The default probe (5,000 rows) covers this whole list: one keys statement, the probe."""
    qs = registration_list(filters={"company_name": "华信"}, fetched_by=world.admin_a)
    rows = page_rows(qs, world.admin_a)
    with CaptureQueriesContext(connection) as captured:
        got = [r.pk for r in rows[0:5]]
    assert got == list(qs.values_list("pk", flat=True)[:5])
    (probe,) = keys_statements(captured)
    # the walk is the list without the filter (its order's index, stopped by the LIMIT); the
    # filter is applied once, outside it
    walk, outside = probe.rsplit(") ", 1)
    assert "LIKE" not in walk and "LIMIT 5000" in walk and "LIKE" in outside


def test_the_probe_keeps_the_other_filters_and_the_scope(world, roster, long_list, monkeypatch):
    monkeypatch.setattr(selectors, "PROBE_ROWS", 1000)
    foreign = {r.pk for r in roster["foreign"]}
    qs = registration_list(filters={"company_name": "华信通信", "personnel_type": "A", "sort": "-name"},
                           fetched_by=world.admin_a)
    expected = list(qs.values_list("pk", flat=True))
    assert len(expected) == 8
    got = [r.pk for r in page_rows(qs, world.admin_a)[0:20]]
    assert got == expected and not foreign & set(got)
    # a central reader asking with A's list keeps A's rows only once shaped under its scope, but
    # an administrator shaped under A never sees B's rows, even from a central list's keys
    central = registration_list(filters={"company_name": "华信通信"}, fetched_by=world.central)
    shown = {r.pk for r in registration_page_rows(central, fetched_by=world.admin_a, total=50_000,
                                                  estimated=True)[0:50]}
    assert shown and not foreign & shown


def test_like_wildcards_in_the_term_are_matched_literally(world, long_list, monkeypatch):
    plan = ExamPlanFactory(region=world.region_a)
    literal = [RegistrationFactory(plan=plan, company_name="百分之50%_股份公司") for _ in range(3)]
    RegistrationFactory(plan=plan, company_name="百分之50X股份公司")  # % and _ are not wildcards
    RegistrationFactory(plan=plan, company_name="百分之5000股份公司")
    for probe_rows in (1000, 1):
        monkeypatch.setattr(selectors, "PROBE_ROWS", probe_rows)
        monkeypatch.setattr(selectors, "PROBE_PAGES", 1)
        qs = registration_list(filters={"company_name": "50%_"}, fetched_by=world.admin_a)
        assert sorted(r.pk for r in page_rows(qs, world.admin_a)[0:20]) == sorted(r.pk for r in literal)


def test_no_contains_filter_no_probe(world, roster, long_list):
    assert selectors._contains_split(registration_list(filters={"name": "张"}, fetched_by=world.admin_a)) is None
    qs = registration_list(filters={"name": "张"}, fetched_by=world.admin_a)
    with CaptureQueriesContext(connection) as captured:
        got = [r.pk for r in page_rows(qs, world.admin_a)[0:20]]
    assert got == list(qs.values_list("pk", flat=True)) and not keys_statements(captured)


def test_an_empty_contains_list_lists_nothing(world, roster, long_list):
    qs = registration_list(filters={"company_name": "华信"}, fetched_by=world.admin_a).none()
    assert registration_page_rows(qs, fetched_by=world.admin_a, total=50_000, estimated=True)[0:20] == []
    qs = registration_list(filters={"company_name": "无此企业"}, fetched_by=world.admin_a)
    assert registration_page_rows(qs, fetched_by=world.admin_a, total=50_000, estimated=True)[0:20] == []


def test_the_page_lists_a_long_contains_list_in_order(client, world, roster, long_list, monkeypatch):
    monkeypatch.setattr(selectors, "PROBE_ROWS", 2)
    monkeypatch.setattr(selectors, "PROBE_PAGES", 1)
    client.force_login(world.admin_a)
    qs = registration_list(filters={"company_name": "华信", "sort": "-company"}, fetched_by=world.admin_a)
    expected = [r.candidate_number for r in qs[10:16]]
    body = client.get(reverse("candidates:list"), {"company_name": "华信", "sort": "-company", "page_size": 10,
                                                   "page": 2}).content.decode()
    assert body.count('data-testid="candidate-row"') == 6
    positions = [body.index(f">{n}<") for n in expected]
    assert positions == sorted(positions)
    assert not any(f">{r.candidate_number}<" in body for r in roster["foreign"])
