"""违规核查 to 成绩管理 in the browser (docs/decisions.md#review): central starts the check of an ended plan
holding a planted real-time copying pair, finds the pair at the top of the queue, reads the
shared answers side by side, marks the copier's violation (the score is voided and the person
blacklisted from the same decision), decides the other flagged candidates and publishes; the
北京 管局 sees and exports the 成绩单 with the voided score and finds the person on its
blacklist; the candidate sees the violation on 我的考核 and objects.

A snapshot without a face is planted on the copier's attempt and shows in the evidence page's
proctoring part (docs/decisions.md#evidence-contract)."""

import io
import random

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from blacklist.models import BlacklistEntry, ViolationCategory
from papers import drawing
from papers.tests.factories import make_rule
from people.models import Person
from plans.choices import ExamType
from questions.tests.factories import make_bank
from results.models import Score
from review.demo import build_ended_plan
from review.models import Decision, Objection, ReviewCandidate

from .conftest import decide_violation, login_session, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _as(page, user):
    page.context.clear_cookies()
    login_session(page, user)


def test_central_reviews_publishes_the_region_exports_and_the_candidate_objects(page, world, monkeypatch):
    rng = random.Random(15)
    monkeypatch.setattr(drawing, "new_seed", lambda: rng.getrandbits(63))  # the same papers every run
    make_bank(world.central, per_cell=10)
    make_rule(world.central, name="测试规则", exam_type=ExamType.CONTINUING_ONLINE, personnel_types="ABC", per_cell=5)
    built = build_ended_plan(region=world.region_a, central=world.central, admin=world.admin_a, n=60, seed=7)
    copier, source = built.copier.registration, built.source.registration
    from proctoring.demo import plant_snapshot

    plant_snapshot(built.copier, taken_at=built.plan.starts_at)  # a snapshot without a face
    Person.objects.filter(pk=copier.person_id).update(user=world.candidate)
    page.on("dialog", lambda dialog: dialog.accept())  # 核查完成并发布 asks to confirm

    # --- central: the queue, the check in the background, the planted pair on top
    _as(page, world.central)
    page.goto(page.base + "/review/")
    row = page.get_by_test_id("review-plan").filter(has_text=built.plan.batch_no)
    expect(row.get_by_test_id("review-state")).to_have_text("待核查")
    row.get_by_test_id("open-review").click()
    page.get_by_test_id("start-review").click()
    expect(page.get_by_test_id("review-state")).to_have_text("核查中")
    expect(page.get_by_test_id("review-summary")).to_contain_text("雷同考生对 1 个")
    top = page.get_by_test_id("queue-row")
    assert {top.nth(0).get_attribute("data-number"), top.nth(1).get_attribute("data-number")} == {
        copier.candidate_number, source.candidate_number}
    expect(top.nth(0)).to_contain_text("雷同答卷")
    shot(page, "review_01_queue")
    page.get_by_test_id("flag-filter").select_option("fast")
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    expect(page.get_by_test_id("queue-row")).to_contain_text("作答过快")
    page.get_by_test_id("flag-filter").select_option("")

    # --- the copier's evidence: shared answers side by side, timing, the shared address
    page.locator(f'[data-number="{copier.candidate_number}"]').get_by_test_id("open-evidence").click()
    expect(page.get_by_test_id("pair")).to_contain_text(source.candidate_number)
    expect(page.get_by_test_id("side-by-side")).to_be_visible()
    assert page.get_by_test_id("side-row").count() >= 10
    expect(page.get_by_test_id("ips")).to_contain_text(source.candidate_number)
    expect(page.get_by_test_id("proctoring")).to_contain_text("未检测到人脸")
    shot(page, "review_02_evidence")

    category = ViolationCategory.objects.get(name="考试中交头接耳或协助他人作答")
    decide_violation(page, category, source_number=source.candidate_number,
                     note="与相邻考生共用同一IP，多数相同答案在对方作答后 30 秒内给出")
    shot(page, "review_03_decided")
    assert Score.objects.get(attempt=built.copier).voided
    entry = BlacklistEntry.objects.get(registration=copier)
    assert entry.category == category

    # the source and the fast candidate: 正常 after review
    for attempt in (built.source, built.fast):
        page.goto(page.base + f"/review/attempts/{attempt.pk}/")
        page.get_by_label("正常", exact=True).check()
        page.get_by_test_id("decision-note").fill("核查后未发现违规")
        page.get_by_test_id("decision-submit").click()
        expect(page.get_by_test_id("current-decision")).to_contain_text("正常")
    assert not ReviewCandidate.objects.filter(review__plan=built.plan).exclude(
        attempt_id__in=Decision.objects.filter(current=True).values("attempt_id")).filter(flag_similar=True).exists()

    page.goto(page.base + f"/review/plans/{built.plan.pk}/")
    page.get_by_test_id("objection-days").fill("7")
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("published")).to_be_visible()
    shot(page, "review_04_published")

    # --- the region: the 成绩单 with the voided score, its export, its blacklist
    _as(page, world.admin_a)
    page.goto(page.base + "/results/")
    page.get_by_test_id("score-plan").filter(has_text=built.plan.batch_no).get_by_test_id("open-sheet").click()
    expect(page.get_by_test_id("sheet-counts")).to_contain_text("违规作废 1 人")
    page.get_by_test_id("filter-name").fill(copier.person.name)  # the candidate list's filters
    page.get_by_test_id("search").click()
    copier_row = page.get_by_test_id("sheet-row").filter(has_text=copier.candidate_number)
    expect(copier_row).to_contain_text("违规作废")
    expect(page.get_by_test_id("sheet-counts")).to_contain_text("违规作废 1 人")
    shot(page, "review_05_sheet")
    with page.expect_download() as download:
        page.get_by_test_id("export-all-btn").click()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(open(download.value.path(), "rb").read()))
    rows = sheet.get_sheet_by_index(0).to_python()
    assert rows[0][:8] == ["考生编号", "姓名", "证件号码", "企业名称", "人员类型", "成绩", "是否合格", "状态"]
    exported = next(r for r in rows if r[0] == copier.candidate_number)
    assert exported[5] == "" and exported[7] == "违规作废" and "*" in exported[2]
    page.get_by_test_id("print-pdf").click()  # the PDF is laid out by a job; its page offers the file
    expect(page.get_by_test_id("job-status")).to_have_text("已完成")
    with page.expect_download() as download:
        page.get_by_test_id("job-download").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    shot(page, "review_05b_pdf_job")
    page.goto(page.base + "/blacklist/")
    expect(page.get_by_test_id("blacklist-table")).to_contain_text(copier.person.name)
    expect(page.get_by_test_id("blacklist-table")).to_contain_text(category.name)
    shot(page, "review_06_blacklist")

    # --- the candidate: the violation on 我的考核, and an objection
    _as(page, world.candidate)
    page.goto(page.base + "/candidates/mine/")
    result = page.get_by_test_id("my-result")
    expect(result).to_contain_text(f"违规（{category.name}），成绩作废")
    shot(page, "review_07_mine")
    page.get_by_test_id("object-link").click()
    page.locator("textarea[name=text]").fill("   ")  # blank: refused by the server beside the field
    page.get_by_test_id("object-submit").click()
    expect(page.locator(".errorlist")).to_contain_text("申诉理由")
    page.locator("textarea[name=text]").fill("本人独立作答，与邻座考生无交流，请复查监考录像。")
    page.get_by_test_id("object-submit").click()
    expect(page.get_by_test_id("my-objection")).to_contain_text("申诉待处理")
    shot(page, "review_08_objected")
    assert Objection.objects.get().attempt_id == built.copier.pk
