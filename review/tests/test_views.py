"""The violation check's pages: the queue, the evidence page and its forms, publication,
objections; refusals leave nothing changed."""

import pytest
from django.urls import reverse

from accounts.models import User
from blacklist.models import BlacklistEntry, ViolationCategory
from core.roles import Role
from people.models import Person
from results.models import Score, ScorePublication
from review import services
from review.choices import DecisionChoice
from review.models import Decision, Objection
from testing.world import TEST_PASSWORD

from .test_services import decide, decide_all_flagged

pytestmark = pytest.mark.django_db


def queue(response) -> str:
    page = response.content.decode()
    start = page.index('data-testid="review-queue"')
    return page[start:page.index("</table>", start)]


@pytest.fixture
def review(world, built):
    return services.review_start(plan=built.plan, acting_user=world.central)


def test_the_queue_lists_plans_to_check(client, world, built):
    client.force_login(world.central)
    page = client.get(reverse("review:plans")).content.decode()
    assert built.plan.batch_no in page and "待核查" in page


def test_starting_the_check_from_the_plan_page(client, world, built):
    client.force_login(world.central)
    response = client.post(reverse("review:start", args=[built.plan.pk]))
    assert response.status_code == 302
    page = client.get(reverse("review:plan", args=[built.plan.pk])).content.decode()
    assert "核查中" in page and "雷同考生对 1 个" in page
    assert built.copier.registration.candidate_number in page


def test_the_queue_is_sorted_by_suspicion_and_filters_by_flag_kind(client, world, built, review):
    client.force_login(world.central)
    url = reverse("review:plan", args=[built.plan.pk])
    page = queue(client.get(url))
    copier, source = built.copier.registration.candidate_number, built.source.registration.candidate_number
    fast = built.fast.registration.candidate_number
    assert max(page.index(copier), page.index(source)) < page.index(fast)
    only_fast = queue(client.get(url, {"flag": "fast"}))
    assert fast in only_fast and copier not in only_fast
    similar = queue(client.get(url, {"flag": "similar"}))
    assert copier in similar and source in similar and fast not in similar
    ip = queue(client.get(url, {"flag": "shared_ip"}))
    assert copier in ip and fast not in ip
    decide(review, built.copier, world.central)
    undecided = queue(client.get(url, {"flag": "any", "decision": "undecided"}))
    assert copier not in undecided and source in undecided


def test_the_evidence_page_shows_timing_ips_and_the_shared_answers_side_by_side(client, world, built, review):
    client.force_login(world.central)
    page = client.get(reverse("review:candidate", args=[built.copier.pk])).content.decode()
    other = built.source.registration
    assert f"{other.candidate_number} {other.person.name}" in page
    assert 'data-testid="side-by-side"' in page and "已标记" in page
    assert "紧随他人作答相同答案" in page
    assert page.count('data-testid="side-row"') >= 10  # the questions both drew
    assert "IP 地址" in page and 'data-testid="proctoring"' in page
    fast_page = client.get(reverse("review:candidate", args=[built.fast.pk])).content.decode()
    assert "快于阅读所需时间 <strong class=\"danger\">" in fast_page


def test_the_evidence_page_shows_the_proctoring_record_with_its_face_note(client, world, built, review):
    from proctoring.demo import plant_snapshot

    snapshot = plant_snapshot(built.copier, taken_at=built.plan.starts_at)
    client.force_login(world.central)
    page = client.get(reverse("review:candidate", args=[built.copier.pk])).content.decode()
    assert 'data-testid="proctor-evidence"' in page
    assert "未检测到人脸" in page
    assert reverse("proctoring:snapshot_image", args=[snapshot.pk]) in page


def test_deciding_from_the_evidence_page(client, world, built, review):
    client.force_login(world.central)
    url = reverse("review:decide", args=[built.copier.pk])
    category = ViolationCategory.objects.get(name="替考")
    data = {"choice": DecisionChoice.VIOLATION, "category": category.pk, "evidence": [f"pair:{built.source.pk}"],
            "note": "实时抄袭", "seen_revision": 0}
    response = client.post(url, data)
    assert response.status_code == 302
    decision = Decision.objects.get(attempt=built.copier, current=True)
    assert decision.category == category and decision.decided_by == world.central
    assert Score.objects.get(attempt=built.copier).voided
    page = client.get(reverse("review:candidate", args=[built.copier.pk])).content.decode()
    assert "违规（替考）" in page and "黑名单记录" in page


def test_a_bad_decision_is_refused_beside_its_field(client, world, built, review):
    client.force_login(world.central)
    response = client.post(reverse("review:decide", args=[built.copier.pk]),
                           {"choice": DecisionChoice.VIOLATION, "note": "无类型", "seen_revision": 0,
                            "evidence": [f"pair:{built.source.pk}"]})
    assert response.status_code == 200 and "违规结论须选择违规类型" in response.content.decode()
    assert not Decision.objects.exists() and not BlacklistEntry.objects.exists()


def test_a_reviewer_cannot_confirm_their_own_second_review_on_the_page(client, world, built, review):
    decide(review, built.copier, world.central, choice=DecisionChoice.SECOND_REVIEW)
    client.force_login(world.central)
    page = client.get(reverse("review:candidate", args=[built.copier.pk])).content.decode()
    assert "不能复核自己提交的结论" in page and 'data-testid="confirm"' not in page
    response = client.post(reverse("review:confirm", args=[built.copier.pk]), {"note": "自己确认", "seen_revision": 1})
    assert response.status_code == 200 and "不能确认自己提交的结论" in response.content.decode()
    assert not Score.objects.get(attempt=built.copier).voided
    other = User.objects.create_user("t_central2", TEST_PASSWORD, role=Role.CENTRAL, full_name="复核人")
    client.force_login(other)
    assert client.post(reverse("review:confirm", args=[built.copier.pk]),
                       {"note": "同意", "seen_revision": 1}).status_code == 302
    assert Score.objects.get(attempt=built.copier).voided


def test_publishing_from_the_plan_page(client, world, built, review):
    client.force_login(world.central)
    url = reverse("review:publish", args=[built.plan.pk])
    client.post(url, {"objection_days": 10})
    assert not ScorePublication.objects.exists()
    page = client.get(reverse("review:plan", args=[built.plan.pk])).content.decode()
    assert "还有 3 名被标记的考生没有核查结论" in page
    assert client.post(url, {"objection_days": 0}).status_code == 302 and not ScorePublication.objects.exists()
    decide_all_flagged(review, world.central)
    client.post(url, {"objection_days": 10})
    assert ScorePublication.objects.get(plan=built.plan).objection_days == 10


def test_objection_pages(client, world, built, review):
    Person.objects.filter(pk=built.copier.registration.person_id).update(user=world.candidate)
    decide(review, built.copier, world.central)
    decide_all_flagged(review, world.central)
    services.review_publish(plan=built.plan, acting_user=world.central)
    client.force_login(world.candidate)
    mine = client.get(reverse("candidates:my_registrations")).content.decode()
    assert "违规（考试中交头接耳或协助他人作答），成绩作废" in mine and 'data-testid="object-link"' in mine
    url = reverse("review:object", args=[built.copier.registration_id])
    assert "请填写申诉理由" in client.post(url, {"text": ""}).content.decode() and not Objection.objects.exists()
    assert client.post(url, {"text": "我独立完成"}).status_code == 302
    objection = Objection.objects.get()
    client.force_login(world.central)
    assert built.copier.registration.candidate_number in client.get(reverse("review:objections")).content.decode()
    response = client.post(reverse("review:objection", args=[objection.pk]), {"outcome": "upheld", "answer": "成立"})
    assert response.status_code == 302
    assert not Score.objects.get(attempt=built.copier).voided
    client.force_login(world.candidate)
    mine = client.get(reverse("candidates:my_registrations")).content.decode()
    assert "申诉申诉成立：成立" in mine


def test_my_exams_say_unpublished_before_publication(client, world, built, review):
    Person.objects.filter(pk=built.copier.registration.person_id).update(user=world.candidate)
    decide(review, built.copier, world.central)
    client.force_login(world.candidate)
    mine = client.get(reverse("candidates:my_registrations")).content.decode()
    assert "等待成绩发布" in mine and "违规" not in mine and "成绩作废" not in mine
