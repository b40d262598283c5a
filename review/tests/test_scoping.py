"""Every review view through testing.scoping.assert_scoping: the violation check is central's only
(a 管局 and a candidate get 403 on every page and every write, and nothing changes); the 申诉
page is the candidate's own (another candidate's registration is a 404)."""

import pytest
from django.urls import reverse

from accounts.models import User
from blacklist.models import BlacklistEntry
from core.roles import Role
from people.models import Person
from results.models import ScorePublication
from review import services
from review.choices import DecisionChoice
from review.models import Decision, Objection, PlanReview
from testing.scoping import ScopeCase, assert_scoping
from testing.world import TEST_PASSWORD

from .test_services import decide, decide_all_flagged

pytestmark = pytest.mark.django_db
CENTRAL = {Role.CENTRAL}


@pytest.fixture
def review(world, built):
    return services.review_start(plan=built.plan, acting_user=world.central)


def _no_decision(attempt):
    def check():
        assert not Decision.objects.filter(attempt=attempt).exists()
        assert not BlacklistEntry.objects.exists()

    return check


def test_plans_scoping(client, world, built):
    assert_scoping(client, world, ScopeCase(url=reverse("review:plans"), roles=CENTRAL))


def test_plan_scoping(client, world, built, review):
    assert_scoping(client, world, ScopeCase(url=reverse("review:plan", args=[built.plan.pk]), roles=CENTRAL))


def test_start_scoping(client, world, built):
    def not_started():
        assert not PlanReview.objects.exists()

    assert_scoping(client, world, ScopeCase(url=reverse("review:start", args=[built.plan.pk]), method="post",
                                            roles=CENTRAL, unchanged=not_started))


def test_publish_scoping(client, world, built, review):
    decide_all_flagged(review, world.central)

    def unpublished():
        assert not ScorePublication.objects.exists()

    assert_scoping(client, world, ScopeCase(url=reverse("review:publish", args=[built.plan.pk]), method="post",
                                            data={"objection_days": 10}, roles=CENTRAL, unchanged=unpublished))
    assert ScorePublication.objects.filter(plan=built.plan).exists()


def test_candidate_scoping(client, world, built, review):
    assert_scoping(client, world, ScopeCase(url=reverse("review:candidate", args=[built.copier.pk]), roles=CENTRAL))


def test_decide_scoping(client, world, built, review):
    data = {"choice": DecisionChoice.NORMAL, "note": "无异常", "seen_revision": 0}
    assert_scoping(client, world, ScopeCase(url=reverse("review:decide", args=[built.copier.pk]), method="post",
                                            data=data, roles=CENTRAL, unchanged=_no_decision(built.copier),
                                            try_allowed=False))


@pytest.fixture
def proposal(world, built, review):
    decide(review, built.copier, world.central, choice=DecisionChoice.SECOND_REVIEW)
    other = User.objects.create_user("t_central2", TEST_PASSWORD, role=Role.CENTRAL, full_name="复核人")
    return other


def _still_awaiting(attempt):
    def check():
        assert Decision.objects.get(attempt=attempt, current=True).status == "awaiting"

    return check


def test_confirm_scoping(client, world, built, proposal):
    assert_scoping(client, world, ScopeCase(url=reverse("review:confirm", args=[built.copier.pk]), method="post",
                                            data={"note": "同意", "seen_revision": 1}, roles=CENTRAL,
                                            unchanged=_still_awaiting(built.copier), try_allowed=False))


def test_return_scoping(client, world, built, proposal):
    assert_scoping(client, world, ScopeCase(url=reverse("review:return", args=[built.copier.pk]), method="post",
                                            data={"note": "不同意", "seen_revision": 1}, roles=CENTRAL,
                                            unchanged=_still_awaiting(built.copier), try_allowed=False))


@pytest.fixture
def objection(world, built, review):
    Person.objects.filter(pk=built.copier.registration.person_id).update(user=world.candidate)
    decide(review, built.copier, world.central)
    decide_all_flagged(review, world.central)
    services.review_publish(plan=built.plan, acting_user=world.central)
    return services.objection_submit(attempt=built.copier, text="不服", acting_user=world.candidate)


def test_objections_scoping(client, world, objection):
    assert_scoping(client, world, ScopeCase(url=reverse("review:objections"), roles=CENTRAL))


def test_objection_scoping(client, world, objection):
    def pending():
        assert Objection.objects.get(pk=objection.pk).status == "pending"

    assert_scoping(client, world, ScopeCase(url=reverse("review:objection", args=[objection.pk]), roles=CENTRAL))
    assert_scoping(client, world, ScopeCase(url=reverse("review:objection", args=[objection.pk]), method="post",
                                            data={"outcome": "upheld", "answer": "成立"}, roles=CENTRAL,
                                            unchanged=pending, try_allowed=False))


def test_object_scoping(client, world, built, review):
    Person.objects.filter(pk=built.copier.registration.person_id).update(user=world.candidate)
    decide(review, built.copier, world.central)
    decide_all_flagged(review, world.central)
    services.review_publish(plan=built.plan, acting_user=world.central)
    url = reverse("review:object", args=[built.copier.registration_id])

    def no_objection():
        assert not Objection.objects.exists()

    assert_scoping(client, world, ScopeCase(url=url, method="post", data={"text": "不服"}, roles={Role.CANDIDATE},
                                            unchanged=no_objection, try_allowed=False))
    # another candidate: the registration does not exist for them (404), and nothing is written
    other = User.objects.create_user("t_other_cand", TEST_PASSWORD, role=Role.CANDIDATE, full_name="他人")
    Person.objects.filter(pk=built.source.registration.person_id).update(user=other)
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "替他申诉"}).status_code == 404
    no_objection()
    client.force_login(world.candidate)
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": "不服"}).status_code == 302
    assert Objection.objects.get().submitted_by == world.candidate
