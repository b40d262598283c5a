"""The candidate list's total (docs/decisions.md#list-scale): exact up to selectors.EXACT_COUNT_LIMIT rows; above
it the planner's estimate, labelled 约 … （估算） on the page, while paging stays exact (the next
page exists only when a row was found for it; past the real end, the real last page)."""

import pytest
from django.db import connection
from django.urls import reverse

from candidates import selectors
from candidates.selectors import registration_count, registration_list
from candidates.tests.factories import RegistrationFactory
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven(world):
    plan = ExamPlanFactory(region=world.region_a)
    regs = [RegistrationFactory(plan=plan) for _ in range(7)]
    RegistrationFactory(plan=ExamPlanFactory(region=world.region_b))  # another region: never counted
    return sorted(regs, key=lambda r: r.candidate_number)


def numbers(body: str, regs) -> list[str]:
    return [r.candidate_number for r in regs if f">{r.candidate_number}<" in body]


def test_exact_under_the_limit(client, world, seven):
    client.force_login(world.admin_a)
    body = client.get(reverse("candidates:list")).content.decode()
    assert "共 7 条记录" in body
    assert "约" not in body.split('class="pager"')[1]
    assert "导出全部（7 条）" in body
    qs = registration_list(filters={}, fetched_by=world.admin_a)
    assert registration_count(qs, exact_limit=7) == (7, False)


def test_estimate_never_below_what_was_counted(world, seven, monkeypatch):
    qs = registration_list(filters={}, fetched_by=world.admin_a)
    monkeypatch.setattr(selectors, "registration_count_estimate", lambda qs, **kw: 1)
    assert registration_count(qs, exact_limit=3) == (4, True)
    monkeypatch.setattr(selectors, "registration_count_estimate", lambda qs, **kw: 900)
    assert registration_count(qs, exact_limit=3) == (900, True)
    assert registration_count(qs, exact_limit=7) == (7, False)  # not over the limit: exact


def test_no_planner_estimate_means_an_exact_count(world, seven, monkeypatch):
    monkeypatch.setattr(selectors, "registration_count_estimate", lambda qs, **kw: None)
    qs = registration_list(filters={}, fetched_by=world.admin_a)
    assert registration_count(qs, exact_limit=3) == (7, False)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_planner_estimate_on_postgresql(world, seven):
    qs = registration_list(filters={}, fetched_by=world.admin_a)
    estimate = selectors.registration_count_estimate(qs)
    assert isinstance(estimate, int) and estimate >= 1
    total, estimated = registration_count(qs, exact_limit=3)
    assert estimated and total >= 4


def test_estimated_total_is_labelled_and_paging_stays_exact(client, world, seven, monkeypatch):
    monkeypatch.setattr(selectors, "EXACT_COUNT_LIMIT", 3)
    monkeypatch.setattr(selectors, "registration_count_estimate", lambda qs, **kw: 40)  # a wild overestimate
    client.force_login(world.admin_a)
    url = reverse("candidates:list")
    first = client.get(url, {"page_size": 10}).content.decode()
    assert "约 40 条记录" in first and "估算" in first
    assert "导出全部（约 40 条）" in first
    assert numbers(first, seven) == [r.candidate_number for r in seven]  # all 7 on page 1 of 10
    assert 'data-testid="next-page"' not in first  # no 8th row: no next page, whatever the estimate
    assert "显示 1 到 7" in first

    # 13 rows, 10 a page: page 2 exists because its rows were found
    for _ in range(6):
        RegistrationFactory(plan=seven[0].plan)
    page1 = client.get(url, {"page_size": 10}).content.decode()
    assert 'data-testid="next-page"' in page1 and "page=2" in page1
    page2 = client.get(url, {"page_size": 10, "page": 2}).content.decode()
    assert page2.count('data-testid="candidate-row"') == 3 and 'data-testid="next-page"' not in page2
    assert "显示 11 到 13" in page2

    # past the real end of an overestimated list: the real last page, exactly counted
    beyond = client.get(url, {"page_size": 10, "page": 4}).content.decode()
    assert beyond.count('data-testid="candidate-row"') == 3
    assert "共 13 条记录" in beyond and "估算" not in beyond


def test_filter_selects_keep_the_choice(client, world, seven):
    client.force_login(world.central)
    plan = seven[0].plan
    body = client.get(reverse("candidates:list"), {"plan": plan.pk, "region": world.region_a.pk}).content.decode()
    assert f'<option value="{plan.pk}" selected>{plan.batch_no}（{plan.exam_date:%Y-%m-%d}）</option>' in body
    assert f'<option value="{world.region_a.pk}" selected>{world.region_a.name}</option>' in body
    assert numbers(body, seven) == [r.candidate_number for r in seven]
