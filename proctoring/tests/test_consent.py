"""Consent before a remote exam (docs/decisions.md#proctoring-consent; 个人信息保护法 Art. 28–29): separate and explicit,
stored with time, IP and text version, enforced by the exam's start service."""

import pytest
from django.urls import reverse

from audit.models import AuditLog
from core.errors import ApplicationError, PermissionDenied
from exams.choices import AttemptState
from exams.models import Attempt
from exams.services import attempt_start
from exams.tests.factories import give_consent, open_plan, rules_for, sitting
from plans.choices import ExamType
from proctoring.choices import ConsentPurpose
from proctoring.consent import CONSENT_VERSION, texts_by_purpose
from proctoring.models import ConsentRecord
from proctoring.selectors import consent_granted, consent_refusal
from proctoring.services import consent_record

pytestmark = pytest.mark.django_db
BOTH = {ConsentPurpose.CAMERA: True, ConsentPurpose.BEHAVIOUR: True}


@pytest.fixture
def unconsented(world, plan):
    return sitting(plan, user=world.candidate, consent=False, person__name="刘德华")


def test_without_consent_the_start_is_refused_and_says_whom_to_ask(world, unconsented):
    with pytest.raises(ApplicationError) as exc:
        attempt_start(registration=unconsented, acting_user=world.candidate)
    assert exc.value.code == "no_consent"
    assert "北京市通信管理局" in exc.value.message and "须同意摄像头抓拍和考试行为记录" in exc.value.message
    assert Attempt.objects.get(registration=unconsented).state == AttemptState.NOT_STARTED


def test_both_purposes_are_needed(world, unconsented):
    consent_record(registration=unconsented, acting_user=world.candidate, version=CONSENT_VERSION,
                   answers={ConsentPurpose.CAMERA: True, ConsentPurpose.BEHAVIOUR: False})
    with pytest.raises(ApplicationError, match="北京市通信管理局"):
        attempt_start(registration=unconsented, acting_user=world.candidate)
    consent_record(registration=unconsented, acting_user=world.candidate, version=CONSENT_VERSION, answers=BOTH)
    assert attempt_start(registration=unconsented, acting_user=world.candidate).state == AttemptState.IN_PROGRESS


def test_the_latest_answer_counts_and_a_withdrawal_before_the_start_blocks_it(world, unconsented):
    give_consent(unconsented)
    assert consent_refusal(unconsented) is None
    give_consent(unconsented, granted=False)
    assert consent_refusal(unconsented) is not None
    with pytest.raises(ApplicationError):
        attempt_start(registration=unconsented, acting_user=world.candidate)
    assert ConsentRecord.objects.filter(registration=unconsented).count() == 4  # every answer is kept


def test_an_answer_to_an_older_text_no_longer_counts(world, unconsented):
    for purpose in ConsentPurpose.values:
        ConsentRecord.objects.create(registration=unconsented, user=world.candidate, purpose=purpose, granted=True,
                                     text_version="2000-01-01", text_digest="0" * 64, at=unconsented.plan.starts_at)
    assert consent_granted(unconsented) == {p: False for p in ConsentPurpose.values}
    with pytest.raises(ApplicationError):
        attempt_start(registration=unconsented, acting_user=world.candidate)


def test_a_record_keeps_time_ip_browser_version_and_the_digest_of_the_text(world, unconsented):
    consent_record(registration=unconsented, acting_user=world.candidate, answers=BOTH, version=CONSENT_VERSION,
                   ip="203.0.113.7", user_agent="Mozilla/5.0 Chrome/140")
    texts = texts_by_purpose()
    for record in ConsentRecord.objects.filter(registration=unconsented):
        assert (record.ip, record.text_version, record.user_agent) == ("203.0.113.7", CONSENT_VERSION,
                                                                       "Mozilla/5.0 Chrome/140")
        assert record.text_digest == texts[record.purpose].digest and record.at is not None
    audit = AuditLog.objects.get(action="proctoring.consent_grant")
    assert audit.object_id == str(unconsented.pk) and audit.region_id == unconsented.region_id
    with pytest.raises(RuntimeError):
        record.save()  # append-only


def test_the_text_says_what_why_who_and_how_long(settings):
    settings.PROCTORING_SNAPSHOT_RETENTION_DAYS = 90
    settings.PROCTORING_SNAPSHOT_SECONDS = 45
    camera = dict(texts_by_purpose()[ConsentPurpose.CAMERA].paragraphs)
    assert set(camera) == {"收集什么", "为什么", "谁能看到", "保存多久"}
    assert "45 秒" in camera["收集什么"] and "90 天" in camera["保存多久"] and "部中心" in camera["谁能看到"]
    behaviour = dict(texts_by_purpose()[ConsentPurpose.BEHAVIOUR].paragraphs)
    assert "部中心" in behaviour["谁能看到"] and "次数" in behaviour["谁能看到"]


@pytest.mark.parametrize("answers", [{}, {ConsentPurpose.CAMERA: True}, {ConsentPurpose.CAMERA: True,
                                                                        ConsentPurpose.BEHAVIOUR: "yes"}])
def test_no_answer_is_taken_as_yes(world, unconsented, answers):
    with pytest.raises(ApplicationError, match="请对"):
        consent_record(registration=unconsented, acting_user=world.candidate, answers=answers, version=CONSENT_VERSION)
    assert not ConsentRecord.objects.exists()


def test_an_outdated_version_another_person_and_a_centralized_plan_are_refused(world, unconsented, other_candidate):
    with pytest.raises(ApplicationError, match="告知书已更新"):
        consent_record(registration=unconsented, acting_user=world.candidate, answers=BOTH, version="2000-01-01")
    with pytest.raises(PermissionDenied):
        consent_record(registration=unconsented, acting_user=other_candidate, answers=BOTH, version=CONSENT_VERSION)
    with pytest.raises(PermissionDenied):
        consent_record(registration=unconsented, acting_user=world.admin_a, answers=BOTH, version=CONSENT_VERSION)
    rules_for(world.central, exam_type=ExamType.NEW_ONLINE)
    centralized = sitting(open_plan(exam_type=ExamType.NEW_ONLINE), person=unconsented.person)
    with pytest.raises(ApplicationError, match="不是远程监考"):
        consent_record(registration=centralized, acting_user=world.candidate, answers=BOTH, version=CONSENT_VERSION)
    assert consent_refusal(centralized) is None  # no consent asked where there is no proctoring
    assert not ConsentRecord.objects.exists()


def test_the_entry_page_asks_then_the_form_records_then_the_start_opens(client, world, unconsented):
    client.force_login(world.candidate)
    url = reverse("exams:sit", args=[unconsented.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="proctor-consent"' in html and 'data-testid="start-exam"' not in html
    assert "北京市通信管理局" in html and " checked" not in html  # nothing pre-selected
    response = client.post(reverse("exams:start", args=[unconsented.pk]))  # a forged start: refused
    assert Attempt.objects.get(registration=unconsented).state == AttemptState.NOT_STARTED
    assert "须同意" in client.get(url).content.decode()

    client.post(reverse("proctoring:consent", args=[unconsented.pk]),
                {"version": CONSENT_VERSION, "camera": "yes", "behaviour": "no"}, REMOTE_ADDR="198.51.100.4")
    html = client.get(url).content.decode()
    assert 'data-testid="consent-refused"' in html and 'data-testid="start-exam"' not in html
    assert set(ConsentRecord.objects.values_list("ip", flat=True)) == {"198.51.100.4"}
    assert AuditLog.objects.filter(action="proctoring.consent_refuse").count() == 1

    client.post(reverse("proctoring:consent", args=[unconsented.pk]),
                {"version": CONSENT_VERSION, "camera": "yes", "behaviour": "yes"})
    html = client.get(url).content.decode()
    assert 'data-testid="consent-complete"' in html and 'data-testid="start-exam"' in html
    response = client.post(reverse("exams:start", args=[unconsented.pk]))
    assert response.status_code == 302
    assert Attempt.objects.get(registration=unconsented).state == AttemptState.IN_PROGRESS


def test_a_half_filled_form_changes_nothing_and_says_what(client, world, unconsented):
    client.force_login(world.candidate)
    response = client.post(reverse("proctoring:consent", args=[unconsented.pk]),
                           {"version": CONSENT_VERSION, "camera": "yes"}, follow=True)
    assert "请对“考试行为记录”选择同意或不同意" in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_another_candidates_registration_is_a_404(client, world, unconsented, other_candidate):
    client.force_login(other_candidate)
    response = client.post(reverse("proctoring:consent", args=[unconsented.pk]),
                           {"version": CONSENT_VERSION, "camera": "yes", "behaviour": "yes"})
    assert response.status_code == 404
    assert not ConsentRecord.objects.exists()
