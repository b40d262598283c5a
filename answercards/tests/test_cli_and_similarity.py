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


SEED, COPIED = 16, 0.3


def _card_plan_with_a_neighbour_copying(world, monkeypatch, *, seed, copied):
    """40 candidates of one type in two rooms of 20, two versions; abilities at random; the
    candidate on seat 3 of room 1 copies `copied` of the answers of seat 1 (same version). The
    versions' papers come from a fixed sequence of seeds, so the plan is the same on every run."""
    import random

    from papers import drawing

    seeds = random.Random(seed)
    monkeypatch.setattr(drawing, "new_seed", lambda: seeds.getrandbits(63))

    from answercards.importing.services import card_import_upload
    from answercards.models import Seat
    from answercards.services import scanning_close
    from papers.tests.factories import make_rule
    from plans.choices import ExamType
    from questions.tests.factories import make_bank

    from .factories import offline_plan
    from .files import upload_rows

    make_bank(world.central, per_cell=12, prefix="S")
    make_rule(world.central, name="60 题", exam_type=ExamType.NEW_OFFLINE, personnel_types="A", per_cell=10)
    plan = offline_plan()
    regs = register(plan, 40, types="A")
    seat(plan, world.admin_a, room_size=20, version_count=2)
    rng = random.Random(seed)
    answers = {}
    for reg in regs:
        ability = rng.random()
        answers[reg.pk] = [r if rng.random() < 0.3 + 0.6 * ability else wrong(r) for r in right_answers(reg)]
    by_seat = {(s.room.number, s.number): s.registration for s in Seat.objects.filter(plan=plan).select_related("room")}
    source, copier = by_seat[(1, 1)], by_seat[(1, 3)]
    answers[copier.pk] = [theirs if rng.random() < copied else mine
                          for mine, theirs in zip(answers[copier.pk], answers[source.pk], strict=True)]
    card_import_upload(plan=plan, **upload_rows(regs, answers), acting_user=world.admin_a)
    scanning_close(plan=plan, acting_user=world.central)
    return plan, source, copier


def test_the_review_of_an_answer_card_plan_tests_seat_neighbour_pairs_as_their_own_family(client, world, monkeypatch):
    """The review's check of a 新取证(线下) plan: no timing (card answers carry the import's time,
    which is not the candidate's), the seat neighbours from answercards as the prior family, and
    a neighbour who copied half of the answers is flagged in that family, where the family of
    all pairs alone would not flag it."""
    from answercards.selectors import seat_neighbour_pairs
    from exams.models import Attempt
    from review.models import PairFlag
    from review.services import review_start

    plan, source, copier = _card_plan_with_a_neighbour_copying(world, monkeypatch, seed=SEED, copied=COPIED)
    review = review_start(plan=plan, acting_user=world.central, run_now=True)
    assert review.status == "ready", review.status
    neighbours = seat_neighbour_pairs(plan)
    assert frozenset((source.pk, copier.pk)) in {frozenset(p) for p in neighbours}
    summary = review.summary
    assert summary["offline"] and summary["timing"] is False
    assert summary["prior_pairs"] == len(neighbours) > 0
    assert summary["prior_cut"] > summary["bonferroni_cut"]
    attempts = {a.registration_id: a.pk for a in Attempt.objects.filter(plan=plan)}
    flagged = {frozenset((p.attempt_a_id, p.attempt_b_id)): p for p in PairFlag.objects.filter(review=review,
                                                                                            flagged=True)}
    pair = flagged[frozenset((attempts[source.pk], attempts[copier.pk]))]
    assert pair.kind == "answer_agreement"
    assert pair.likely_source_id == attempts[source.pk]
    assert pair.tails["follow_ab"] == 1.0 and pair.tails["fast_correct"] == 1.0
    assert pair.evidence["prior_pair"] and pair.evidence["family"] == "prior"
    from django.urls import reverse

    client.force_login(world.central)
    page = client.get(reverse("review:candidate", args=[attempts[copier.pk]])).content.decode()
    assert "两人为考场内相邻同版本座位（按相邻座位考生对单独检验达到标记标准）" in page
    page = client.get(reverse("review:plan", args=[plan.pk])).content.decode()
    assert f"考场内相邻同版本座位的考生对 {len(neighbours)} 个单独检验" in page
    # without the neighbours (the family of all pairs only) the same answers do not flag the pair
    rows = similarity_rows(plan)
    alone = collusion_signal(rows, timing=False)
    assert frozenset((source.candidate_number, copier.candidate_number)) not in {
        frozenset((p["a"], p["b"])) for p in alone["flagged_pairs"]}


def test_an_answer_card_plan_is_checked_only_once_its_scanning_is_closed(world):
    from answercards.services import scanning_close
    from papers.tests.factories import make_rule
    from plans.choices import ExamType
    from questions.tests.factories import make_bank
    from review.selectors import review_plans, review_state_label
    from review.services import review_assert_checkable

    from .factories import offline_plan

    make_bank(world.central, per_cell=4)
    make_rule(world.central, name="12 题", exam_type=ExamType.NEW_OFFLINE, personnel_types="A")
    plan = offline_plan()
    register(plan, 6, types="A")
    seat(plan, world.admin_a, room_size=10, version_count=2)
    with pytest.raises(Exception, match="结束该计划的答题卡扫描后才能开始核查"):
        review_assert_checkable(plan)
    assert review_state_label(plan, None) == "等待结束扫描"
    scanning_close(plan=plan, acting_user=world.central)
    review_assert_checkable(plan)
    assert review_state_label(plan, None) == "待核查"
    assert plan.pk in {row["plan"].pk for row in review_plans(fetched_by=world.central)}
