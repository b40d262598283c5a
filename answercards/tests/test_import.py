import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from answercards.importing.columns import SHEET
from answercards.importing.services import card_import_upload, card_report_bytes, template_bytes
from answercards.models import AnswerCard, CardImportRun, Seat
from audit.models import AuditLog
from candidates.models import RegistrationDeletion
from candidates.tests.factories import RegistrationFactory
from core.errors import ApplicationError, PermissionDenied
from core.spreadsheets.reader import FileRejected
from exams.choices import AttemptState
from exams.models import Answer, Attempt
from exams.services import attempt_void
from papers.selectors import answer_key, paper_for_registration
from results.grading import KeyItem, grade
from results.models import Score

from .factories import card_text, offline_plan, register, right_answers, seat, wrong
from .files import card_rows, csv_bytes, upload, upload_rows, xlsx_openpyxl, xlsx_xlsxwriter


def run_of(plan, user, content: bytes, name: str) -> CardImportRun:
    return card_import_upload(plan=plan, **upload(content, name), acting_user=user)


def errors_by_row(run) -> dict[int, list[tuple[str, str]]]:
    out = {}
    for e in run.errors:
        out.setdefault(e["row"], []).append((e["column"], e["message"]))
    return out


def full_marks(registration) -> Decimal:
    return paper_for_registration(registration).total_points


# ---------------------------------------------------------------- the happy path, every format


@pytest.mark.parametrize("fmt", ["openpyxl", "xlsxwriter", "csv-utf8-bom", "csv-utf8", "csv-gbk", "csv-tab"])
def test_a_scanner_file_is_graded_like_an_online_paper(world, seated, regs, fmt):
    rows = card_rows(regs)
    content, name = {
        "openpyxl": (lambda: xlsx_openpyxl(rows), "扫描结果.xlsx"),
        "xlsxwriter": (lambda: xlsx_xlsxwriter(rows), "scan.xlsx"),
        "csv-utf8-bom": (lambda: csv_bytes(rows, encoding="utf-8-sig"), "扫描结果.csv"),
        "csv-utf8": (lambda: csv_bytes(rows, encoding="utf-8"), "scan.csv"),
        "csv-gbk": (lambda: csv_bytes(rows, encoding="gbk"), "扫描结果.csv"),
        "csv-tab": (lambda: csv_bytes(rows, delimiter="\t"), "scan.csv"),
    }[fmt]
    run = run_of(seated, world.admin_a, content(), name)
    assert (run.status, run.created_count, run.failed_count, run.existing_count) == ("done", 12, 0, 0), run.errors
    for reg in regs:
        attempt = Attempt.objects.get(registration=reg)
        assert attempt.state == AttemptState.GRADED
        assert [t.cause for t in attempt.transitions.all()] == ["card", "card", "grade"]
        assert attempt.started_at == seated.starts_at and attempt.submitted_at == seated.ends_at
        score = Score.objects.get(attempt=attempt)
        assert score.total == full_marks(reg) and score.passed and score.answered == len(right_answers(reg))
    card = AnswerCard.objects.get(registration=regs[0])
    assert card.import_run == run and card.version == Seat.objects.get(registration=regs[0]).version
    log = AuditLog.objects.get(action="answercards.import")
    assert log.after["created"] == 12 and log.actor == world.admin_a


def test_the_score_is_the_pure_graders_on_the_canonical_answers(world, seated, regs):
    reg = regs[0]
    key = answer_key(paper_for_registration(reg))
    given = []
    for i, entry in enumerate(key):
        if i % 3 == 0:
            given.append(wrong(entry.displayed, len(entry.permutation)))
        elif i % 3 == 1:
            given.append("")
        else:
            given.append(entry.displayed)
    run = card_import_upload(plan=seated, **upload_rows([reg], {reg.pk: given}), acting_user=world.admin_a)
    assert run.created_count == 1
    canonical = dict(Answer.objects.filter(attempt__registration=reg).values_list("position", "canonical"))
    assert len(canonical) == sum(1 for g in given if g)  # blanks are not stored
    expected = grade([KeyItem(e.position, e.qtype, e.points, (e.canonical,)) for e in key],
                     {e.position: canonical.get(e.position, "") for e in key},
                     pass_mark=paper_for_registration(reg).pass_mark)
    score = Score.objects.get(attempt__registration=reg)
    assert score.total == expected.total and score.correct == expected.correct
    assert 0 < score.total < full_marks(reg)
    # the displayed letters were turned into the version's own (canonical) letters
    for e in key:
        if e.position in canonical and given[e.position - 1] == e.displayed:
            assert canonical[e.position] == e.canonical


# ---------------------------------------------------------------- every row error


def test_every_row_error_says_what_and_where_and_good_rows_still_import(world, seated, regs, rule):
    plan = seated
    other_plan = offline_plan()
    other_reg = register(other_plan, 1)[0]
    from regions.models import Region

    gd_plan = offline_plan(region=Region.objects.get(code="44"))
    gd_reg = register(gd_plan, 1)[0]
    late = RegistrationFactory(plan=plan, personnel_type="A")  # joined after the seating: no seat
    RegistrationDeletion.objects.create(plan=plan, person=late.person, region=plan.region,
                                        candidate_number=f"{plan.batch_no}00999")
    good = card_rows(regs[:2])
    seat_a = Seat.objects.get(registration=regs[2])
    other_version = "B" if seat_a.version == "A" else "A"
    short = card_text(regs[3])[:-1]
    rows = [
        *good,                                                           # rows 2, 3
        ["", "A", "ABC"],                                                # 4 empty number
        ["1.126E+11", "A", "ABC"],                                       # 5 scientific notation
        [f"{plan.batch_no}00777", "A", "ABC"],                           # 6 unknown
        [other_reg.candidate_number, "A", "ABC"],                        # 7 another plan of the region
        [gd_reg.candidate_number, "A", "ABC"],                           # 8 another region's, existing
        ["440000199900001", "A", "ABC"],                                 # 9 another region's prefix, not existing
        [f"{plan.batch_no}00999", "A", "ABC"],                           # 10 deleted
        [late.candidate_number, "A", "ABC"],                             # 11 no seat
        [regs[2].candidate_number, other_version, card_text(regs[2])],   # 12 wrong version
        [regs[3].candidate_number, "C", card_text(regs[3])],             # 13 no such version
        [regs[4].candidate_number, "", card_text(regs[4])],              # 14 empty version
        [regs[5].candidate_number, card_rows([regs[5]])[0][1], short],   # 15 wrong count
        [regs[6].candidate_number, card_rows([regs[6]])[0][1], "Z" + card_text(regs[6])[1:]],  # 16 illegal letter
        [regs[7].candidate_number, card_rows([regs[7]])[0][1], card_text(regs[7])],  # 17 duplicate …
        [regs[7].candidate_number, card_rows([regs[7]])[0][1], card_text(regs[7])],  # 18 … of 17
        [regs[8].candidate_number, card_rows([regs[8]])[0][1], ""],      # 19 empty answers
    ]
    run = run_of(plan, world.admin_a, xlsx_openpyxl(rows), "扫描结果.xlsx")
    errors = errors_by_row(run)
    assert run.created_count == 2 and run.failed_count == 16
    expect = {
        4: ("考生编号", "考生编号不能为空"),
        5: ("考生编号", "科学计数法"),
        6: ("考生编号", f"考生编号不存在（本计划的考生编号以 {plan.batch_no} 开头）"),
        7: ("考生编号", f"该考生属于本地区的考核计划 {other_plan.batch_no}，不是本计划（{plan.batch_no}）的考生"),
        8: ("考生编号", "该考生编号属于其他地区的考核计划，不能导入本计划"),
        9: ("考生编号", "该考生编号属于其他地区的考核计划，不能导入本计划"),
        10: ("考生编号", "从本计划删除（考生编号已作废）"),
        11: ("考生编号", "该考生不在考场安排中"),
        12: ("试卷版本", f"发放的是 {seat_a.version} 卷，答题卡上是 {other_version} 卷"),
        13: ("试卷版本", "试卷版本只能是 A、B"),
        14: ("试卷版本", "试卷版本不能为空"),
        15: ("作答", "作答共 11 题"),
        16: ("作答", "第 1 题（单选题）填写了“Z”"),
        17: ("考生编号", "考生编号在第 18 行也出现"),
        18: ("考生编号", "考生编号在第 17 行也出现"),
        19: ("作答", "作答不能为空"),
    }
    for row, (column, text) in expect.items():
        assert any(c == column and text in m for c, m in errors.get(row, [])), (row, errors.get(row))
    assert set(errors) == set(expect)
    # the other region's row says nothing of that region's plan
    assert gd_plan.batch_no not in str(errors[8])
    # nothing but the two good rows changed
    assert AnswerCard.objects.filter(plan=plan).count() == 2
    assert Attempt.objects.filter(plan=plan).count() == 2
    assert not Attempt.objects.filter(plan__in=[other_plan, gd_plan]).exists()


def test_a_voided_candidate_takes_no_card(world, seated, regs):
    card_import_upload(plan=seated, **upload_rows(regs[:1]), acting_user=world.admin_a)
    attempt_void(attempt=Attempt.objects.get(registration=regs[0]), reason="替考", acting_user=world.central)
    answers = right_answers(regs[0])
    answers[0] = wrong(answers[0])
    run = card_import_upload(plan=seated, **upload_rows(regs[:1], {regs[0].pk: answers}), acting_user=world.admin_a)
    assert run.failed_count == 1 and "已记为“作废”" in run.errors[0]["message"]
    assert Attempt.objects.get(registration=regs[0]).state == AttemptState.VOID


# ---------------------------------------------------------------- idempotent re-import and corrections


def test_the_same_file_twice_changes_nothing(world, seated, regs):
    content = xlsx_openpyxl(card_rows(regs))
    run_of(seated, world.admin_a, content, "扫描结果.xlsx")
    scores = {s.attempt_id: (s.total, s.graded_at, s.regraded_at) for s in Score.objects.filter(plan=seated)}
    answers = list(Answer.objects.filter(attempt__plan=seated).order_by("pk").values_list("pk", "seq", "saved_at"))
    audits = AuditLog.objects.count()
    second = run_of(seated, world.admin_a, content, "扫描结果.xlsx")
    assert (second.created_count, second.replaced_count, second.existing_count, second.failed_count) == (0, 0, 12, 0)
    assert second.existing_rows == list(range(2, 14))
    assert {s.attempt_id: (s.total, s.graded_at, s.regraded_at) for s in Score.objects.filter(plan=seated)} == scores
    assert list(Answer.objects.filter(attempt__plan=seated).order_by("pk").values_list("pk", "seq", "saved_at")) == answers
    # only the run's own row is new in the audit log
    assert AuditLog.objects.count() == audits + 1
    assert not AuditLog.objects.filter(action="answercards.card_replace").exists()


def test_the_same_card_in_the_other_form_is_already_present(world, seated, regs):
    run_of(seated, world.admin_a, xlsx_openpyxl(card_rows(regs[:1])), "a.xlsx")
    reg = regs[0]
    version = Seat.objects.get(registration=reg).version
    separated = ",".join(right_answers(reg))
    run = run_of(seated, world.admin_a, csv_bytes([[reg.candidate_number, version.lower() + "卷", separated]]), "b.csv")
    assert (run.existing_count, run.created_count, run.replaced_count) == (1, 0, 0), run.errors


def test_a_corrected_row_replaces_the_card_and_its_score_audited(world, seated, regs):
    run_of(seated, world.admin_a, xlsx_openpyxl(card_rows(regs)), "扫描结果.xlsx")
    reg = regs[4]
    before_total = Score.objects.get(attempt__registration=reg).total
    answers = right_answers(reg)
    answers[0] = wrong(answers[0])
    rows = card_rows(regs, {reg.pk: answers})
    run = run_of(seated, world.admin_a, xlsx_openpyxl(rows), "扫描结果（更正）.xlsx")
    assert (run.created_count, run.replaced_count, run.existing_count) == (0, 1, 11)
    assert run.warnings[0]["row"] == 6 and "已更正" in run.warnings[0]["message"]
    score = Score.objects.get(attempt__registration=reg)
    assert score.total < before_total and score.regraded_at is not None
    card = AnswerCard.objects.get(registration=reg)
    assert card.times_replaced == 1 and card.import_run == run
    log = AuditLog.objects.get(action="answercards.card_replace")
    assert log.before["answers"] != log.after["answers"] and log.after["row"] == 6
    assert reg.candidate_number in log.object_repr
    assert Attempt.objects.get(registration=reg).state == AttemptState.GRADED
    assert Attempt.objects.get(registration=reg).transitions.count() == 3  # no new transitions


def test_a_dry_run_writes_nothing(world, seated, regs):
    run = card_import_upload(plan=seated, **upload_rows(regs), acting_user=world.admin_a, dry_run=True)
    assert run.created_count == 12 and run.message.startswith("仅校验")
    assert not AnswerCard.objects.exists() and not Attempt.objects.exists()


# ---------------------------------------------------------------- the error file, fixed and uploaded again


def test_the_error_report_is_fixed_and_uploaded_again(world, seated, regs):
    rows = card_rows(regs[:3])
    rows[1][2] = rows[1][2] + "A"  # one answer too many
    run = run_of(seated, world.admin_a, csv_bytes(rows, encoding="gbk"), "扫描结果.csv")
    assert run.created_count == 2 and run.failed_count == 1
    report = card_report_bytes(run=run, acting_user=world.admin_a)
    assert AuditLog.objects.filter(action="import.report_download").exists()
    workbook = openpyxl.load_workbook(io.BytesIO(report))
    ws = workbook["答题卡"]
    header = [c.value for c in ws[1]]
    assert header == [*SHEET.headers, "错误原因"]
    assert "作答共" in ws.cell(row=3, column=4).value
    assert ws.cell(row=2, column=4).value in (None, "")  # a good row has no reason
    ws.cell(row=3, column=3).value = card_text(regs[1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    again = run_of(seated, world.admin_a, buffer.getvalue(), "扫描结果_导入结果.xlsx")
    assert (again.created_count, again.existing_count, again.failed_count) == (1, 2, 0), again.errors
    assert AnswerCard.objects.filter(plan=seated).count() == 3


def test_the_template_declares_the_columns_and_the_help():
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    assert workbook.sheetnames == ["答题卡", "填写说明"]
    assert [c.value for c in workbook["答题卡"][1]] == ["考生编号", "试卷版本", "作答"]
    help_text = " ".join(str(c.value) for row in workbook["填写说明"].iter_rows() for c in row if c.value)
    assert "多选题的字母写在括号内" in help_text and "A,-,BD" in help_text


# ---------------------------------------------------------------- whole-file refusals change nothing


def test_bad_files_are_refused_whole(world, seated, regs):
    rows = card_rows(regs[:2])
    cases = [
        (xlsx_openpyxl(rows, ["考生编号", "版本", "作答"]), "a.xlsx", "表头与模板不一致"),
        (csv_bytes(rows, ["考生编号", "作答"]), "a.csv", "缺少列 “试卷版本”"),
        (bytes([0xff, 0xfe, 0x00, 0xd8]), "a.csv", "编码无法识别"),  # UTF-16 with a lone surrogate
        (b"\xb0\xa1\xff\xff\xfe", "a.csv", "编码无法识别"),
        (b"hello", "a.txt", "CSV 文件"),
        (b"not a zip", "a.xlsx", "文件已损坏"),
        (csv_bytes([]), "a.csv", "没有答题卡数据"),
    ]
    for content, name, message in cases:
        with pytest.raises(FileRejected, match=message):
            run_of(seated, world.admin_a, content, name)
    assert not CardImportRun.objects.exists() and not AnswerCard.objects.exists()


def test_cards_go_only_into_a_seated_plan_that_has_started(world, rule):
    plan = offline_plan(minutes_ago=-60 * 20)  # starts in 20 hours: frozen, not begun
    regs = register(plan, 2)
    with pytest.raises(ApplicationError, match="尚未生成考场"):
        card_import_upload(plan=plan, **upload(b"x", "a.csv"), acting_user=world.admin_a)
    seat(plan, world.admin_a)
    with pytest.raises(ApplicationError, match="考试尚未开始"):
        card_import_upload(plan=plan, **upload_rows(regs), acting_user=world.admin_a)
    # checked again when the job runs: a run let through at upload is refused if the plan no longer takes cards
    run = card_import_upload(plan=plan, **upload_rows(regs), acting_user=world.admin_a,
                             now=plan.starts_at + datetime.timedelta(minutes=1))
    assert run.status == "rejected" and "考试尚未开始" in run.message
    assert not AnswerCard.objects.exists()


def test_another_region_and_candidates_may_not_import(world, seated, regs):
    for user in (world.admin_b, world.candidate):
        with pytest.raises(PermissionDenied):
            card_import_upload(plan=seated, **upload_rows(regs), acting_user=user)
    assert not CardImportRun.objects.exists()


def test_central_imports_into_any_region(world, seated, regs):
    run = card_import_upload(plan=seated, **upload_rows(regs[:2]), acting_user=world.central)
    assert run.created_count == 2


def test_the_plan_must_still_take_cards_when_the_job_runs(world, seated, regs, settings):
    from answercards.importing.services import card_import_execute
    from answercards.models import CardPlan

    settings.JOBS_EAGER_MODE = "thread"  # the job waits for the commit; we run it by hand
    run = card_import_upload(plan=seated, **upload_rows(regs), acting_user=world.admin_a)
    CardPlan.objects.filter(plan=seated).update(scanning_closed_at=timezone.now())
    with pytest.raises(ApplicationError, match="结束该计划的扫描"):
        card_import_execute(run=run, acting_user=world.admin_a)
    run.refresh_from_db()
    assert run.status == "rejected" and not AnswerCard.objects.exists()
