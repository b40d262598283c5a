import json

import pytest
from django.core.management import CommandError, call_command

from answercards.models import AnswerCard, CardImportRun
from answercards.selectors import similarity_rows
from review.similarity import collusion_signal

from .factories import register, right_answers, seat, wrong
from .files import card_rows, csv_bytes


def test_the_cli_imports_with_the_same_service(world, seated, regs, tmp_path, capsys):
    rows = card_rows(regs)
    rows[3][2] = "ABC"
    path = tmp_path / "扫描结果.csv"
    path.write_bytes(csv_bytes(rows, encoding="gbk"))
    call_command("import_answer_cards", seated.batch_no, str(path), "--json", "--user", world.admin_a.username)
    data = json.loads(capsys.readouterr().out)
    assert data["created"] == 11 and data["failed"] == 1 and data["replaced"] == 0
    assert data["errors"][0]["row"] == 5 and "作答共 3 题" in data["errors"][0]["message"]
    run = CardImportRun.objects.get()
    assert run.source == "cli" and run.job is None and run.created_by == world.admin_a
    call_command("import_answer_cards", seated.batch_no, str(path))
    out = capsys.readouterr().out
    assert "新增 0，更正 0，已存在(内容未变化) 11，失败 1" in out and "失败 第 5 行 [作答]" in out
    assert AnswerCard.objects.count() == 11


def test_the_cli_refuses_with_exit_status_1(world, seated, tmp_path, capsys):
    with pytest.raises(CommandError, match="批次编号 NOPE 不存在"):
        call_command("import_answer_cards", "NOPE", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_answer_cards", seated.batch_no, str(tmp_path / "x.csv"))
    bad = tmp_path / "x.csv"
    bad.write_bytes(csv_bytes([["1"]], headers=["编号"]))
    with pytest.raises(CommandError) as info:
        call_command("import_answer_cards", seated.batch_no, str(bad), "--json")
    assert info.value.returncode == 1
    assert "表头与模板不一致" in json.loads(capsys.readouterr().out)["errors"][0]["message"]
    with pytest.raises(CommandError, match="只能管理本地区"):
        call_command("import_answer_cards", seated.batch_no, str(bad), "--user", world.admin_b.username)


def test_answers_only_similarity_over_scanned_cards(world):
    """The scanned answers in collusion_signal's input shape: no timing (answered_at 0), so only
    the answer statistics speak; a copied card (same version, every answer including the wrong
    ones) is flagged, the honest candidates are not."""
    import random

    from papers.tests.factories import make_rule
    from plans.choices import ExamType
    from questions.tests.factories import make_bank

    from .factories import offline_plan

    make_bank(world.central, per_cell=12, prefix="S")
    make_rule(world.central, name="60 题", exam_type=ExamType.NEW_OFFLINE, personnel_types="A", per_cell=10)
    plan = offline_plan()
    regs = register(plan, 40, types="A")
    seat(plan, world.admin_a, room_size=40, version_count=1)
    rng = random.Random(16)
    answers = {}
    for reg in regs:
        right = right_answers(reg)
        ability = rng.random()
        answers[reg.pk] = [r if rng.random() < 0.3 + 0.6 * ability else wrong(r) for r in right]
    source, copier = regs[0], regs[1]
    answers[source.pk] = [wrong(r) if i % 2 else r for i, r in enumerate(right_answers(source))]
    answers[copier.pk] = list(answers[source.pk])
    from answercards.importing.services import card_import_upload

    from .files import upload_rows

    run = card_import_upload(plan=plan, **upload_rows(regs, answers), acting_user=world.admin_a)
    assert run.created_count == 40
    rows = similarity_rows(plan)
    assert rows and all(len(r) == 5 and r[4] == 0.0 for r in rows)
    assert {r[0] for r in rows} == {reg.candidate_number for reg in regs}
    numbers = {r[0] for r in rows}
    assert len(rows) == sum(1 for reg in regs for a in answers[reg.pk] if a)
    result = collusion_signal(rows)
    assert result["candidates"] == len(numbers)
    flagged = {frozenset((p["a"], p["b"])) for p in result["flagged_pairs"]}
    assert frozenset((source.candidate_number, copier.candidate_number)) in flagged
    assert all(p["tails"]["follow_ab"] == 1.0 and p["tails"]["fast_correct"] == 1.0 for p in result["flagged_pairs"])
    assert len(flagged) <= 1
