"""Phases derived from time (docs/decisions.md#plan-phases), at their exact boundaries, and only for approved plans."""

import datetime

import pytest

from plans.choices import AuditStatus
from plans.rules import Phase, phase, schedule_phase

from .factories import plan_via_services

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
TICK = datetime.timedelta(microseconds=1)


@pytest.fixture
def approved(world):
    return plan_via_services(world.admin_a, status=AuditStatus.APPROVED, reviewer=world.central)


def test_each_phase_begins_exactly_at_its_moment(approved):
    cutoff, start, end = approved.starts_at - 48 * H, approved.starts_at, approved.ends_at
    assert phase(approved, cutoff - TICK) == Phase.IMPORTABLE
    assert phase(approved, cutoff) == Phase.LOCKED
    assert phase(approved, start - TICK) == Phase.LOCKED
    assert phase(approved, start) == Phase.IN_PROGRESS
    assert phase(approved, end - TICK) == Phase.IN_PROGRESS
    assert phase(approved, end) == Phase.AWAITING_CHECK


@pytest.mark.parametrize("status", [AuditStatus.PENDING, AuditStatus.REJECTED])
def test_a_plan_that_is_not_approved_has_no_phase(world, status):
    """Nothing can be imported into it: "可导入" beside 未审核 would mislead the region."""
    plan = plan_via_services(world.admin_a, status=status, reviewer=world.central)
    assert phase(plan) is None
    assert schedule_phase(plan) == Phase.IMPORTABLE  # its times, for the review queue's warning


def test_the_list_gives_a_pending_plan_no_phase_and_says_why_it_takes_no_import(client, world, approved):
    pending = plan_via_services(world.admin_a, days_ahead=20)
    client.force_login(world.admin_a)
    html = client.get("/plans/").content.decode()
    assert f'data-testid="phase-{approved.pk}">可导入<' in html
    assert f'data-testid="phase-{pending.pk}" title="审核通过后才有阶段">—<' in html
    assert f'href="/candidates/plans/{approved.pk}/import/" data-testid="import-{approved.batch_no}"' in html
    assert f'disabled title="该考核计划尚未审核通过，不能导入或修改考生信息" data-testid="import-{pending.batch_no}"' in html
