"""答题卡考试 in the browser (docs/decisions.md#answer-cards): the 管局 generates the rooms of a 新取证(线下) plan,
downloads the rosters (a background job), a room's roster and a booklet, and checks the PDFs
hold the Chinese text; after the exam it uploads the scanner's GBK CSV, sees the failed rows,
downloads the error file, fixes it in a spreadsheet and uploads it again; central closes the
scanning; the cards are graded into the same Score records as online papers. The second test
goes on from the scanning to the violation check on the cards, a decision, publication and the
region's published 成绩单."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from answercards.models import Seat
from answercards.tests.factories import card_text, offline_plan, offline_rules, register
from answercards.tests.files import card_rows, csv_bytes
from core.pdf import read_text
from exams.choices import AttemptState
from exams.models import Attempt
from papers.selectors import paper_for_registration
from plans.models import ExamPlan
from questions.tests.factories import make_bank
from results.models import Score

from .conftest import decide_violation, login_session, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _download_text(page, locator) -> str:
    with page.expect_download() as info:
        locator.click()
    download = info.value
    content = open(download.path(), "rb").read()
    assert content.startswith(b"%PDF"), download.suggested_filename
    return "".join(read_text(content))


def test_rooms_pdfs_import_fix_and_scores(page, world, browser, tmp_path):
    make_bank(world.central, per_cell=4)
    offline_rules(world.central)
    plan = offline_plan(minutes_ago=-20 * 60)  # starts in 20 hours: the roster is frozen
    regs = register(plan, 12)
    login_session(page, world.admin_a)

    # the plan page's panel leads to the answer-card page
    page.goto(page.base + f"/plans/{plan.pk}/")
    assert "尚未生成考场" in page.get_by_test_id("plan-answercards").inner_text()
    page.get_by_test_id("plan-answercards-link").click()
    page.fill("#id_room_size", "5")
    page.fill("#id_version_count", "2")
    page.fill("#id_site", "北京市通信管理局考点（海淀区）")
    shot(page, "answercards_01_before_rooms")
    page.get_by_test_id("rooms-generate").click()
    assert "考场已生成：3 个考场" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("card-rooms").locator("tbody tr").count() == 3
    assert page.get_by_test_id("card-versions").locator("tbody tr").count() == 4  # A/B × types A, B
    assert page.get_by_test_id("key-AA").count() == 0  # the key is central's
    shot(page, "answercards_02_rooms")

    # all rosters: a background job with progress, then the file
    page.get_by_test_id("print-roster").click()
    assert page.get_by_test_id("job-status").inner_text() == "已完成"
    shot(page, "answercards_03_roster_job")
    text = _download_text(page, page.get_by_test_id("job-download"))
    first = Seat.objects.filter(plan=plan, room__number=1, number=1).select_related("registration__person").get()
    assert "考场签到表" in text and "第01考场" in text and "第03考场" in text and "考生签名" in text
    assert first.registration.candidate_number in text and first.registration.person.name in text
    assert first.registration.person.id_number not in text

    page.goto(page.base + f"/answercards/plans/{plan.pk}/")
    text = _download_text(page, page.get_by_test_id("room-roster-2"))
    assert "第02考场" in text and "第01考场" not in text
    text = _download_text(page, page.get_by_test_id("booklet-AB"))
    assert "试卷" in text and "B卷" in text and "单选题" in text and "北京市通信管理局考点（海淀区）" in text

    # the exam is held; the scanner's file comes back as a GBK CSV with two bad rows
    start = timezone.now() - datetime.timedelta(hours=3)
    ExamPlan.objects.filter(pk=plan.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    rows = card_rows(regs)
    bad_version = rows[2][1]
    rows[2][1] = "B" if bad_version == "A" else "A"
    rows[5][2] = card_text(regs[5])[:-1]
    path = tmp_path / "扫描结果.csv"
    path.write_bytes(csv_bytes(rows, encoding="gbk"))
    page.reload()
    page.get_by_test_id("card-import-link").click()
    page.get_by_test_id("card-file").set_input_files(str(path))
    page.get_by_test_id("card-upload").click()
    assert "新增 10" in page.get_by_test_id("card-run-summary").inner_text()
    errors = page.get_by_test_id("card-errors").inner_text()
    assert "发放的是" in errors and "作答共 11 题" in errors
    shot(page, "answercards_04_import_errors")

    # the error file, fixed in a spreadsheet program, uploaded again
    with page.expect_download() as info:
        page.get_by_test_id("card-report").click()
    workbook = openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    ws = workbook["答题卡"]
    assert [c.value for c in ws[1]] == ["考生编号", "试卷版本", "作答", "错误原因"]
    ws.cell(row=4, column=2).value = bad_version
    ws.cell(row=7, column=3).value = card_text(regs[5])
    fixed = tmp_path / "扫描结果_导入结果.xlsx"
    workbook.save(fixed)
    page.goto(page.base + f"/answercards/plans/{plan.pk}/import/")
    page.get_by_test_id("card-file").set_input_files(str(fixed))
    page.get_by_test_id("card-upload").click()
    summary = page.get_by_test_id("card-run-summary").inner_text()
    assert "新增 2" in summary and "已存在(内容未变化) 10" in summary and "失败 0" in summary
    shot(page, "answercards_05_fixed_again")

    # graded like online papers: the same Score rows, full marks for the right cards
    for reg in regs:
        score = Score.objects.get(attempt__registration=reg)
        assert score.total == paper_for_registration(reg).total_points

    # central closes the scanning (one more candidate, added after the cards, has none: 缺考)
    central = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", accept_downloads=True)
    central_page = central.new_page()
    central_page.base = page.base
    login_session(central_page, world.central)
    late = register(plan, 1)[0]
    central_page.goto(page.base + f"/answercards/plans/{plan.pk}/")
    assert central_page.get_by_test_id("key-AA").count() == 1
    text = _download_text(central_page, central_page.get_by_test_id("key-AA"))
    assert "试卷答案" in text
    central_page.get_by_test_id("close-scanning").click()
    assert "1 名没有答题卡的考生记为缺考" in central_page.locator(".messages").inner_text()
    assert "缺考 1 人" in central_page.get_by_test_id("card-overview").inner_text()
    shot(central_page, "answercards_06_closed")
    central.close()
    assert Attempt.objects.get(registration=late).state == AttemptState.ABSENT
    page.goto(page.base + f"/answercards/plans/{plan.pk}/")
    assert "结束该计划的扫描" in page.get_by_test_id("import-closed").inner_text()


def test_from_the_room_pdfs_to_the_regions_published_sheet(page, world, browser, tmp_path, monkeypatch):
    """From the room PDFs to the published 成绩单 (docs/decisions.md#review-offline): the 管局 generates the rooms and prints a roster; after the exam it imports the
    scanner's file (a copier repeats the card of the candidate two seats away); central closes the
    scanning, runs the violation check on the cards (answers only, the seats on the evidence page),
    decides and publishes; the 管局 reads and exports the published 成绩单."""
    import random

    from playwright.sync_api import expect
    from python_calamine import CalamineWorkbook

    from answercards.tests.factories import card_bank, planted_answers
    from blacklist.models import ViolationCategory
    from papers import drawing

    rng = random.Random(16)
    monkeypatch.setattr(drawing, "new_seed", lambda: rng.getrandbits(63))  # the same versions every run
    card_bank(world.central)
    plan = offline_plan(minutes_ago=-20 * 60)
    regs = register(plan, 41, types="A")
    page.on("dialog", lambda dialog: dialog.accept())

    # --- the 管局: rooms, a room's roster
    login_session(page, world.admin_a)
    page.goto(page.base + f"/answercards/plans/{plan.pk}/")
    page.fill("#id_room_size", "21")
    page.fill("#id_version_count", "2")
    page.get_by_test_id("rooms-generate").click()
    assert "考场已生成：2 个考场" in page.locator(".messages").inner_text()
    text = _download_text(page, page.get_by_test_id("room-roster-1"))
    assert "考场签到表" in text and "第01考场" in text
    shot(page, "answercards_e2e_01_rooms")

    # --- the exam is held; the scanner's file: 40 cards (one candidate absent), a planted copier
    start = timezone.now() - datetime.timedelta(hours=3)
    ExamPlan.objects.filter(pk=plan.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    absent, cards = regs[-1], regs[:-1]
    answers, source, copier = planted_answers(plan, cards)
    path = tmp_path / "扫描结果.csv"
    path.write_bytes(csv_bytes(card_rows(cards, answers), encoding="gbk"))
    page.goto(page.base + f"/answercards/plans/{plan.pk}/import/")
    page.get_by_test_id("card-file").set_input_files(str(path))
    page.get_by_test_id("card-upload").click()
    expect(page.get_by_test_id("card-run-summary")).to_contain_text("新增 40")
    shot(page, "answercards_e2e_02_imported")

    # --- central: close the scanning, then the check on the cards
    central = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", accept_downloads=True)
    cpage = central.new_page()
    cpage.base = page.base
    cpage.on("dialog", lambda dialog: dialog.accept())
    login_session(cpage, world.central)
    cpage.goto(page.base + f"/answercards/plans/{plan.pk}/")
    cpage.get_by_test_id("close-scanning").click()
    expect(cpage.locator(".messages")).to_contain_text("1 名没有答题卡的考生记为缺考")
    shot(cpage, "answercards_e2e_03_closed")
    cpage.get_by_test_id("card-review-link").click()
    expect(cpage.get_by_test_id("review-state")).to_have_text("待核查")
    cpage.get_by_test_id("start-review").click()
    expect(cpage.get_by_test_id("review-state")).to_have_text("核查中")
    expect(cpage.get_by_test_id("review-summary")).to_contain_text("答题卡考试只比对答案")
    top = cpage.get_by_test_id("queue-row")
    assert {top.nth(0).get_attribute("data-number"), top.nth(1).get_attribute("data-number")} == {
        copier.candidate_number, source.candidate_number}
    shot(cpage, "answercards_e2e_04_queue")

    cpage.locator(f'[data-number="{copier.candidate_number}"]').get_by_test_id("open-evidence").click()
    expect(cpage.get_by_test_id("candidate-seat")).to_contain_text("号")
    expect(cpage.get_by_test_id("pair-seat")).to_contain_text("同一考场，相隔 2 个座位")
    expect(cpage.get_by_test_id("side-by-side")).to_be_visible()
    expect(cpage.get_by_test_id("seat-neighbours")).to_contain_text(source.candidate_number)
    assert cpage.get_by_test_id("timing").count() == 0 and cpage.get_by_test_id("ips").count() == 0
    assert cpage.get_by_test_id("proctoring").count() == 0
    shot(cpage, "answercards_e2e_05_evidence")
    category = ViolationCategory.objects.get(name="考试中交头接耳或协助他人作答")
    decide_violation(cpage, category, source_number=source.candidate_number,
                     note="答题卡与相隔一座的同版本考生完全相同，含 30 道相同错误答案")
    source_attempt = Attempt.objects.get(registration=source)
    cpage.goto(page.base + f"/review/attempts/{source_attempt.pk}/")
    cpage.get_by_label("正常", exact=True).check()
    cpage.get_by_test_id("decision-note").fill("被抄袭者，未发现违规")
    cpage.get_by_test_id("decision-submit").click()
    expect(cpage.get_by_test_id("current-decision")).to_contain_text("正常")
    cpage.goto(page.base + f"/review/plans/{plan.pk}/")
    cpage.get_by_test_id("publish").click()
    expect(cpage.get_by_test_id("published")).to_be_visible()
    shot(cpage, "answercards_e2e_06_published")
    central.close()

    # --- the 管局: the published 成绩单 in 成绩管理, exported
    page.goto(page.base + f"/answercards/plans/{plan.pk}/")
    page.get_by_test_id("card-sheet-link").click()
    expect(page.get_by_test_id("sheet-counts")).to_contain_text("缺考 1 人，违规作废 1 人")
    page.get_by_test_id("filter-name").fill(copier.person.name)
    page.get_by_test_id("search").click()
    expect(page.get_by_test_id("sheet-row").filter(has_text=copier.candidate_number)).to_contain_text("违规作废")
    shot(page, "answercards_e2e_07_sheet")
    page.goto(page.base + f"/results/plans/{plan.pk}/")
    with page.expect_download() as download:
        page.get_by_test_id("export-all-btn").click()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(open(download.value.path(), "rb").read())) \
        .get_sheet_by_index(0).to_python()
    states = {r[0]: r[7] for r in rows[1:]}
    assert len(states) == 41 and states[copier.candidate_number] == "违规作废"
    assert states[absent.candidate_number] == "缺考" and states[source.candidate_number] == "正常"
    page.goto(page.base + "/results/")
    expect(page.get_by_test_id("score-plan").filter(has_text=plan.batch_no)).to_contain_text("已发布")
    shot(page, "answercards_e2e_08_results")
