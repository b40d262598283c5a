import io

import pytest

from plans.choices import AuditStatus
from plans.models import ExamPlan
from plans.rules import Phase, phase

pytestmark = pytest.mark.django_db


def test_demo_plans_cover_every_status_and_phase_and_load_once():
    from accounts import demo as accounts_demo
    from plans import demo

    accounts_demo.load(io.StringIO())
    lines = demo.load(io.StringIO())
    assert "已创建演示计划" in lines[0]
    for code in demo.DEMO_REGIONS:
        plans = list(ExamPlan.objects.filter(region__code=code))
        assert {p.audit_status for p in plans} == set(AuditStatus.values), code
        approved = [p for p in plans if p.audit_status == AuditStatus.APPROVED]
        assert {phase(p) for p in approved} == {Phase.IMPORTABLE, Phase.LOCKED, Phase.IN_PROGRESS, Phase.AWAITING_CHECK}
        assert all(p.batch_no.startswith(code) and len(p.batch_no) == 7 for p in plans)
    count = ExamPlan.all_objects.count()
    assert "未重复创建" in demo.load(io.StringIO())[0]
    assert ExamPlan.all_objects.count() == count


@pytest.mark.parametrize("hour, minute", [(23, 55), (0, 5), (10, 0)])
def test_the_in_progress_demo_plan_is_in_progress_at_any_hour(world, monkeypatch, hour, minute):
    import datetime

    from django.utils import timezone

    from plans import demo

    fake_now = datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=3), datetime.time(hour, minute),
                                         tzinfo=timezone.get_current_timezone())
    monkeypatch.setattr(timezone, "now", lambda: fake_now)
    plan = demo._add_in_progress(world.admin_a, world.central)
    assert plan.audit_status == AuditStatus.APPROVED and plan.reviewer == world.central
    assert phase(plan, fake_now) == Phase.IN_PROGRESS
