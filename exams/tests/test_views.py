"""The candidate's exam pages and JSON endpoints (docs/decisions.md#exam-engine): what reaches the browser,
takeover, bad input, another candidate's attempt."""

import json
import re

import pytest
from django.urls import reverse

from exams.choices import AttemptState
from exams.models import Answer, Attempt
from papers.selectors import answer_key, paper_for_registration, paper_versions

pytestmark = pytest.mark.django_db


def _post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _enter(client, world, registration):
    client.force_login(world.candidate)
    response = client.post(reverse("exams:start", args=[registration.pk]))
    assert response.status_code == 302
    page = client.get(reverse("exams:sit", args=[registration.pk]))
    assert page.status_code == 200
    config = json.loads(re.search(r'<script id="exam-config" type="application/json">(.*?)</script>',
                                  page.content.decode(), re.S).group(1))
    return page, config


def test_entry_page_then_the_exam_page(client, world, registration):
    client.force_login(world.candidate)
    entry = client.get(reverse("exams:sit", args=[registration.pk]))
    assert "进入考试" in entry.content.decode() and 'data-testid="start-exam"' in entry.content.decode()
    page, config = _enter(client, world, registration)
    paper = paper_for_registration(registration)
    html = page.content.decode()
    assert html.count('class="card question"') == len(paper.items)
    assert config["attempt"] == Attempt.objects.get(registration=registration).pk
    assert set(config) == {"attempt", "token", "session", "last_seq", "saved", "clock", "sync_seconds", "debounce_ms",
                           "question_count"}
    assert 0 < config["clock"]["remaining_seconds"] <= 90 * 60
    assert "script-src" in page.headers.get("Content-Security-Policy", "")


def test_the_key_never_reaches_the_browser(client, world, registration):
    page, config = _enter(client, world, registration)
    paper = paper_for_registration(registration)
    html = page.content.decode()
    versions = paper_versions(paper)
    for entry in answer_key(paper, versions):
        assert f"[{entry.version_id}," not in html
        if versions[entry.version_id].explanation:
            assert versions[entry.version_id].explanation not in html
        assert entry.permutation not in re.sub(r"<[^>]+>", "", html) or len(entry.permutation) <= 2
    for word in ("canonical", "explanation", "permutation", "seed", "pass_mark"):
        assert word not in html
    save = _post_json(client, reverse("exams:save", args=[config["attempt"]]),
                      {"token": config["token"], "answers": [{"position": 1, "answer": "A", "seq": 1}]})
    submitted = _post_json(client, reverse("exams:submit", args=[config["attempt"]]), {"token": config["token"]})
    assert submitted.status_code == 200 and submitted.json()["state"] == AttemptState.GRADED
    after = client.get(reverse("exams:sit", args=[registration.pk])).content.decode()
    for body in (save.content.decode(), submitted.content.decode(), after):
        assert "score" not in body and "合格" not in body and "分数" not in body and '"total' not in body
    assert "等待成绩发布" in after
    home = client.get(reverse("candidates:my_registrations")).content.decode()
    assert "等待成绩发布" in home and "成绩：" not in home


def test_save_clock_and_takeover(client, world, registration):
    _page, first = _enter(client, world, registration)
    url = reverse("exams:save", args=[first["attempt"]])
    response = _post_json(client, url, {"token": first["token"],
                                        "answers": [{"position": 2, "answer": "b", "seq": 3, "client_at": 1}]})
    assert response.status_code == 200 and response.json()["outcomes"] == {"3": "accepted"}
    assert Answer.objects.get(attempt_id=first["attempt"], position=2).displayed == "B"
    clock = client.get(reverse("exams:clock", args=[first["attempt"]]), {"token": first["token"]})
    assert clock.status_code == 200 and clock.json()["state"] == "in_progress"
    # a second page (another computer, a reload) takes over; the first is told why
    second = client.get(reverse("exams:sit", args=[registration.pk]))
    assert second.status_code == 200
    resumed = json.loads(re.search(r'id="exam-config" type="application/json">(.*?)</script>',
                                   second.content.decode(), re.S).group(1))
    assert resumed["saved"] == {"2": {"answer": "B", "seq": 3}} and resumed["last_seq"] == 3
    assert resumed["clock"]["deadline_ms"] == first["clock"]["deadline_ms"]  # the clock never restarts
    stale = _post_json(client, url, {"token": first["token"], "answers": [{"position": 2, "answer": "A", "seq": 4}]})
    assert stale.json()["error"] == "taken_over" and "另一个页面" in stale.json()["message"]
    assert stale.json()["outcomes"] == {"4": "taken_over"}
    old_clock = client.get(reverse("exams:clock", args=[first["attempt"]]), {"token": first["token"]})
    assert old_clock.json()["error"] == "taken_over"
    submit = _post_json(client, reverse("exams:submit", args=[first["attempt"]]), {"token": first["token"]})
    assert submit.json()["error"] == "taken_over"
    assert Attempt.objects.get(pk=first["attempt"]).state == AttemptState.IN_PROGRESS
    assert Answer.objects.get(attempt_id=first["attempt"], position=2).displayed == "B"


def test_bad_input_is_a_clear_message(client, world, registration):
    _page, config = _enter(client, world, registration)
    url = reverse("exams:save", args=[config["attempt"]])
    bad = client.post(url, "{not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["message"] == "请求格式不正确"
    wrong = _post_json(client, url, {"token": config["token"], "answers": [{"position": 1, "answer": "Q", "seq": 1}]})
    assert wrong.status_code == 400 and "第 1 题" in wrong.json()["message"]
    assert not Answer.objects.exists()


def test_another_candidate_gets_404(client, world, registration):
    from accounts.models import User

    _page, config = _enter(client, world, registration)
    other = User.objects.create_user("t_candidate2", role="candidate")
    client.force_login(other)
    pk = config["attempt"]
    assert client.get(reverse("exams:sit", args=[registration.pk])).status_code == 404
    assert client.post(reverse("exams:start", args=[registration.pk])).status_code == 404
    assert client.get(reverse("exams:clock", args=[pk])).status_code == 404
    assert _post_json(client, reverse("exams:save", args=[pk]),
                      {"token": config["token"], "answers": [{"position": 1, "answer": "A", "seq": 9}]}).status_code == 404
    assert _post_json(client, reverse("exams:submit", args=[pk]), {"token": config["token"]}).status_code == 404
    assert Attempt.objects.get(pk=pk).state == AttemptState.IN_PROGRESS and not Answer.objects.exists()


def test_my_exams_says_what_to_do_next(client, world, registration):
    client.force_login(world.candidate)
    home = client.get(reverse("candidates:my_registrations")).content.decode()
    assert "进入考试（" in home and reverse("exams:sit", args=[registration.pk]) in home
    client.post(reverse("exams:start", args=[registration.pk]))
    home = client.get(reverse("candidates:my_registrations")).content.decode()
    assert "继续考试（剩余约" in home and "进行中" in home


def test_monitor_counts_and_rows_for_the_region(client, world, registration):
    from candidates.tests.factories import RegistrationFactory

    RegistrationFactory(plan=registration.plan, person__name="孙海燕")  # never enters
    client.force_login(world.candidate)
    client.post(reverse("exams:start", args=[registration.pk]))
    client.force_login(world.admin_a)
    listing = client.get(reverse("exams:monitor")).content.decode()
    assert registration.plan.batch_no in listing
    page = client.get(reverse("exams:monitor_plan", args=[registration.plan_id]))
    html = page.content.decode()
    assert "进行中 1" in html and "未开始 1" in html and "报名 2" in html
    assert "王建国" in html and "孙海燕" in html and 'hx-trigger="every 15s"' in html
    assert "延长考试时间" not in html  # central's
    partial = client.get(reverse("exams:monitor_plan", args=[registration.plan_id]), HTTP_HX_REQUEST="true")
    assert "进行中 1" in partial.content.decode() and "<html" not in partial.content.decode()


def test_centralized_entry_through_the_pages(client, world, bank):
    from exams.tests.factories import open_plan, rules_for, sitting

    rules_for(world.central, exam_type="new_online")
    registration = sitting(open_plan(exam_type="new_online"), user=world.candidate, person__name="周晓东")
    client.force_login(world.admin_a)
    monitor = client.get(reverse("exams:monitor_plan", args=[registration.plan_id])).content.decode()
    code = re.search(r'data-testid="entry-code">(\d{6})<', monitor).group(1)
    client.force_login(world.candidate)
    entry = client.get(reverse("exams:sit", args=[registration.pk])).content.decode()
    assert 'name="entry_code"' in entry and code not in entry
    refused = client.post(reverse("exams:start", args=[registration.pk]), {"entry_code": "12345x"}, follow=True)
    assert "入场码不正确" in refused.content.decode()
    assert Attempt.objects.get(registration=registration).state == AttemptState.NOT_STARTED
    client.post(reverse("exams:start", args=[registration.pk]), {"entry_code": code})
    assert Attempt.objects.get(registration=registration).state == AttemptState.IN_PROGRESS


def test_central_extends_on_the_monitor(client, world, registration):
    client.force_login(world.candidate)
    client.post(reverse("exams:start", args=[registration.pk]))
    client.force_login(world.central)
    bad = client.post(reverse("exams:extend", args=[registration.plan_id]),
                      {"registration": registration.pk, "minutes": "十", "reason": "断电"}, follow=True)
    assert "整数分钟" in bad.content.decode()
    no_reason = client.post(reverse("exams:extend", args=[registration.plan_id]),
                            {"registration": registration.pk, "minutes": 10, "reason": ""}, follow=True)
    assert "原因" in no_reason.content.decode()
    assert Attempt.objects.get(registration=registration).extension_minutes == 0
    client.post(reverse("exams:extend", args=[registration.plan_id]),
                {"registration": registration.pk, "minutes": 10, "reason": "考生电脑故障"})
    assert Attempt.objects.get(registration=registration).extension_minutes == 10


def test_entry_rules_page_refuses_bad_values(client, world):
    from exams.models import EntryRule

    client.force_login(world.central)
    page = client.post(reverse("exams:entry_rules"), {"exam_type": "new_online", "late_entry_minutes": "999",
                                                      "grace_seconds": "60"}, follow=True)
    assert "0 到 240 分钟" in page.content.decode() and not EntryRule.objects.exists()


def test_site_network_refusal_through_the_pages_behind_a_proxy(client, world, bank, settings):
    """The client IP is core.middleware.client_ip's: behind TRUSTED_PROXY_COUNT proxies the
    X-Forwarded-For entry written by our proxy, never one the client wrote itself."""
    from exams.services import entry_code_for
    from exams.tests.factories import open_plan, rules_for, sitting

    settings.TRUSTED_PROXY_COUNT = 1
    rules_for(world.central, exam_type="new_online")
    registration = sitting(open_plan(exam_type="new_online"), user=world.candidate, person__name="周晓东")
    code = entry_code_for(plan=registration.plan, acting_user=world.admin_a).code
    client.force_login(world.admin_a)
    bad = client.post(reverse("exams:entry_networks", args=[registration.plan_id]), {"networks": "10.20.1.5/24"})
    assert "主机位不为 0：该网段应写作 10.20.1.0/24" in bad.content.decode()
    client.post(reverse("exams:entry_networks", args=[registration.plan_id]), {"networks": "10.20.0.0/16"})
    page = client.get(reverse("exams:entry_networks", args=[registration.plan_id])).content.decode()
    assert "10.20.0.0/16" in page
    client.force_login(world.candidate)
    # the client forged 10.20.0.7 on the left; the proxy saw 203.0.113.9
    outside = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.20.0.7, 203.0.113.9"}
    refused = client.post(reverse("exams:start", args=[registration.pk]), {"entry_code": code}, follow=True, **outside)
    assert "不在考点网络内" in refused.content.decode() and "203.0.113.9" in refused.content.decode()
    assert Attempt.objects.get(registration=registration).state == AttemptState.NOT_STARTED
    inside = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.20.0.7"}
    client.post(reverse("exams:start", args=[registration.pk]), {"entry_code": code}, **inside)
    assert Attempt.objects.get(registration=registration).state == AttemptState.IN_PROGRESS
    # reopening the exam page from outside shows the refusal, not the paper (no new session)
    opened = Attempt.objects.get(registration=registration).sessions_opened
    again = client.get(reverse("exams:sit", args=[registration.pk]), **outside).content.decode()
    assert 'data-testid="network-refusal"' in again and "exam-config" not in again
    assert Attempt.objects.get(registration=registration).sessions_opened == opened
    assert "exam-config" in client.get(reverse("exams:sit", args=[registration.pk]), **inside).content.decode()
