"""The plan lists' one filter definition (plans.filters; decisions.md "One filter definition per list"): an invalid filter on
考核计划管理 or 计划审核 shows its message and no rows (before, it filtered by the valid fields
only); the durations are reference data every administrator reads; the schedule rule lives in
plans.rules."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from plans.choices import DEFAULT_DURATIONS, ExamType
from plans.filters import PlanFilterForm, ReviewQueueFilterForm
from plans.models import ExamTypeSetting
from plans.rules import MAX_DAYS_AHEAD, check_schedule
from plans.selectors import exam_type_durations, plan_list
from plans.tests.factories import plan_via_services

pytestmark = pytest.mark.django_db

INVALID = [
    ({"date_from": "2026/13/01"}, "日期格式应为 yyyy-mm-dd"),
    ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "结束日期不能早于开始日期"),
    ({"exam_type": "driving"}, "考试类型的选项无效"),
    ({"batch_no": "1" * 17}, "批次编号"),
]


def _rows(response) -> list:
    return [row["plan"].batch_no for row in response.context["rows"]]


@pytest.mark.parametrize("params, words", INVALID)
@pytest.mark.parametrize("url, who", [("plans:list", "admin_a"), ("plans:list", "central"),
                                      ("plans:review_queue", "central")])
def test_an_invalid_filter_shows_its_message_and_no_rows(client, world, url, who, params, words):
    plan = plan_via_services(world.admin_a)
    client.force_login(getattr(world, who))
    assert _rows(client.get(reverse(url), {"batch_no": plan.batch_no})) == [plan.batch_no]
    response = client.get(reverse(url), {"batch_no": plan.batch_no, **params})
    body = response.content.decode()
    assert response.context["rows"] == [] and f"plan-row-{plan.batch_no}" not in body
    assert 'data-testid="filter-invalid"' in body and words in body and "未显示任何记录" in body


def test_an_unknown_region_is_invalid_for_central_and_no_filter_for_a_region(client, world):
    plan = plan_via_services(world.admin_a)
    client.force_login(world.central)
    response = client.get(reverse("plans:list"), {"region": "999999"})
    assert response.context["rows"] == [] and "地区的选项无效" in response.content.decode()
    client.force_login(world.admin_a)
    assert _rows(client.get(reverse("plans:list"), {"region": str(world.region_b.pk)})) == [plan.batch_no]


def test_the_page_shows_the_rows_of_the_filter_definition(client, world):
    a = plan_via_services(world.admin_a, days_ahead=5, exam_type=ExamType.CONTINUING_ONLINE)
    plan_via_services(world.admin_a, days_ahead=30)
    client.force_login(world.admin_a)
    params = {"exam_type": ExamType.CONTINUING_ONLINE}
    form = PlanFilterForm(params, user=world.admin_a)
    assert _rows(client.get(reverse("plans:list"), params)) == [p.batch_no for p in form.rows()] == [a.batch_no]
    assert list(form.rows()) == list(plan_list(filters=form.filters(), fetched_by=world.admin_a))
    assert "audit_status" not in ReviewQueueFilterForm(None, user=world.central).fields


def test_durations_are_read_by_administrators_only(world):
    ExamTypeSetting.objects.update_or_create(exam_type=ExamType.NEW_ONLINE, defaults={"duration_minutes": 150})
    for user in (world.central, world.admin_a):
        durations = exam_type_durations(fetched_by=user)
        assert durations[ExamType.NEW_ONLINE] == 150
        assert durations[ExamType.CONTINUING_ONLINE] == DEFAULT_DURATIONS[ExamType.CONTINUING_ONLINE]
    assert exam_type_durations(fetched_by=world.candidate) == {}


def test_the_schedule_rule_is_a_pure_rule_over_the_given_now():
    now = timezone.make_aware(datetime.datetime(2026, 3, 9, 9, 0))
    ok = {"start_time": datetime.time(9, 0), "duration": 120, "now": now}
    check_schedule(exam_date=datetime.date(2026, 3, 12), enforce_cutoff=True, **ok)
    with pytest.raises(ApplicationError, match="48 小时之后"):
        check_schedule(exam_date=datetime.date(2026, 3, 10), enforce_cutoff=True, **ok)
    check_schedule(exam_date=datetime.date(2026, 3, 10), enforce_cutoff=False, **ok)  # central corrects
    with pytest.raises(ApplicationError, match="不能早于今天"):
        check_schedule(exam_date=datetime.date(2026, 3, 8), enforce_cutoff=False, **ok)
    with pytest.raises(ApplicationError, match="请检查年份"):
        check_schedule(exam_date=datetime.date(2026, 3, 9) + datetime.timedelta(days=MAX_DAYS_AHEAD + 1),
                       enforce_cutoff=True, **ok)
    with pytest.raises(ApplicationError, match="须在当天结束"):
        check_schedule(exam_date=datetime.date(2026, 3, 12), enforce_cutoff=True,
                       **{**ok, "start_time": datetime.time(23, 0)})
