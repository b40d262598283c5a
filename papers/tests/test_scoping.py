"""Every papers view through testing.scoping.assert_scoping. Rules, previews and papers are
central's; the plan's papers panel is central's and the plan's region's (another region 404)."""

import pytest
from django.urls import reverse

from core.roles import Role
from papers.models import Paper, PaperRule
from papers.services import papers_generate
from papers.tests.factories import make_rule
from testing.scoping import ScopeCase, assert_scoping

pytestmark = pytest.mark.django_db
CENTRAL = {Role.CENTRAL}


@pytest.fixture
def rule(world, bank):
    return make_rule(world.central)


def _rule_unchanged(rule):
    before = PaperRule.objects.values().get(pk=rule.pk)

    def check():
        assert PaperRule.objects.values().get(pk=rule.pk) == before

    return check


def test_rules_scoping(client, world, rule):
    assert_scoping(client, world, ScopeCase(url=reverse("papers:rules"), roles=CENTRAL))


def test_rule_add_scoping(client, world, bank):
    assert_scoping(client, world, ScopeCase(url=reverse("papers:rule_add"), roles=CENTRAL))
    assert_scoping(client, world, ScopeCase(url=reverse("papers:rule_add"), method="post",
                                            data={"name": "x", "exam_type": "new_online", "personnel_types": ["A"],
                                                  "points_single": 1, "points_multiple": 1, "points_judge": 1,
                                                  "pass_mark": 1}, roles=CENTRAL, try_allowed=False))
    assert not PaperRule.objects.exists()


def test_rule_detail_scoping(client, world, rule):
    assert_scoping(client, world, ScopeCase(url=reverse("papers:rule_detail", args=[rule.pk]), roles=CENTRAL))


def test_rule_edit_scoping(client, world, rule):
    assert_scoping(client, world, ScopeCase(url=reverse("papers:rule_edit", args=[rule.pk]), roles=CENTRAL))
    assert_scoping(client, world, ScopeCase(url=reverse("papers:rule_edit", args=[rule.pk]), method="post",
                                            data={"name": "改"}, roles=CENTRAL, unchanged=_rule_unchanged(rule),
                                            try_allowed=False))


def test_rule_active_scoping(client, world, rule):
    assert_scoping(client, world, ScopeCase(url=reverse("papers:rule_active", args=[rule.pk]), method="post",
                                            data={"active": "0"}, roles=CENTRAL, unchanged=_rule_unchanged(rule)))


def test_rule_preview_scoping(client, world, rule):
    assert_scoping(client, world, ScopeCase(url=reverse("papers:rule_preview", args=[rule.pk]), roles=CENTRAL))


def test_registration_paper_scoping(client, world, rules, registrations, frozen_plan):
    papers_generate(plan=frozen_plan)
    reg = registrations[0]
    reg.person.user = world.candidate  # even the paper's own candidate may not preview it
    reg.person.save()
    assert_scoping(client, world, ScopeCase(url=reverse("papers:registration_paper", args=[reg.pk]), roles=CENTRAL))


def test_plan_status_scoping(client, world, rules, registrations, frozen_plan):
    assert_scoping(client, world, ScopeCase(url=reverse("papers:plan_status", args=[frozen_plan.pk]),
                                            owner_region=world.region_a))


def test_plan_generate_scoping(client, world, rules, registrations, frozen_plan):
    assert_scoping(client, world, ScopeCase(url=reverse("papers:plan_generate", args=[frozen_plan.pk]),
                                            method="post", roles=CENTRAL, unchanged=lambda: None, try_allowed=False,
                                            extra={}))
    assert not Paper.objects.exists()
    client.force_login(world.central)
    assert client.post(reverse("papers:plan_generate", args=[frozen_plan.pk])).status_code == 302
    assert Paper.objects.filter(plan=frozen_plan).count() == 5


def test_plan_papers_scoping(client, world, rules, registrations, frozen_plan):
    papers_generate(plan=frozen_plan)
    assert_scoping(client, world, ScopeCase(url=reverse("papers:plan_papers", args=[frozen_plan.pk]), roles=CENTRAL))
    client.force_login(world.central)
    page = client.get(reverse("papers:plan_papers", args=[frozen_plan.pk])).content.decode()
    assert page.count("查看试卷") == 5
