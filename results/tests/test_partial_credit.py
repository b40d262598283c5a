"""多选题部分得分 (docs/decisions.md#partial-multiple): a setting of the paper rule, off by default; when on, a strict
subset of the correct letters without a wrong one earns half the points. The rule's setting is
frozen with the plan's draw, so the grader and the regrade read it from there."""

from decimal import Decimal

import pytest

from audit.models import AuditLog
from core.errors import ApplicationError
from exams.services import answers_save, attempt_open_session, attempt_start, attempt_submit
from exams.tests.factories import open_plan, sitting
from papers.models import PaperDraw
from papers.selectors import answer_key, paper_for_registration
from papers.services import rule_update
from papers.tests.factories import make_rule, rule_input
from plans.choices import ExamType
from questions.tests.factories import make_bank
from results.models import Score

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(world):
    return make_bank(world.central, per_cell=4)


def _subset_of_multiples(registration, user):
    """Sit the paper: every 单选/判断 right, every 多选 with one correct letter fewer."""
    attempt = attempt_start(registration=registration, acting_user=user)
    token = attempt_open_session(attempt=attempt)
    key = answer_key(paper_for_registration(registration))
    items = [{"position": e.position, "seq": e.position,
              "answer": e.displayed[:-1] if e.qtype == "multiple" else e.displayed} for e in key]
    assert all(len(e.displayed) >= 2 for e in key if e.qtype == "multiple")
    answers_save(attempt=attempt, token=token, acting_user=user, raw_items=items)
    attempt = attempt_submit(attempt=attempt, token=token, acting_user=user)
    return attempt, key


def _expected(key, *, partial: bool) -> Decimal:
    return sum((e.points / 2 if partial else Decimal(0)) if e.qtype == "multiple" else e.points for e in key)


def test_default_rule_gives_no_partial_credit(world, bank):
    rule = make_rule(world.central, name="继续教育", exam_type=ExamType.CONTINUING_ONLINE, personnel_types="ABC")
    assert rule.partial_multiple is False
    registration = sitting(open_plan(), user=world.candidate)
    attempt, key = _subset_of_multiples(registration, world.candidate)
    score = Score.objects.get(attempt=attempt)
    assert score.total == _expected(key, partial=False)
    assert any(e.qtype == "multiple" for e in key)


def test_a_rule_with_partial_credit_gives_half_for_a_correct_subset_and_the_regrade_keeps_it(world, bank):
    from results.services import plan_regrade

    rule = make_rule(world.central, name="继续教育", exam_type=ExamType.CONTINUING_ONLINE, personnel_types="ABC",
                     partial_multiple=True)
    plan = open_plan()
    registration = sitting(plan, user=world.candidate)
    assert PaperDraw.objects.get(plan=plan).blueprint["partial_multiple"] is True
    attempt, key = _subset_of_multiples(registration, world.candidate)
    expected = _expected(key, partial=True)
    assert Score.objects.get(attempt=attempt).total == expected
    multiple = next(e for e in key if e.qtype == "multiple")
    assert Score.objects.get(attempt=attempt).earned[str(multiple.position)] == str(multiple.points / 2)

    # switching the rule off later changes nothing for this plan: its draw froze the setting
    rule_update(rule=rule, data=rule_input(name="继续教育", exam_type=ExamType.CONTINUING_ONLINE, personnel_types="ABC"),
                seen_revision=None, acting_user=world.central)
    assert plan_regrade(plan=plan, acting_user=world.central) == 0
    assert Score.objects.get(attempt=attempt).total == expected


def test_regrade_with_a_void_correction_and_partial_credit(world, bank):
    from results.services import question_correct

    make_rule(world.central, name="继续教育", exam_type=ExamType.CONTINUING_ONLINE, personnel_types="ABC",
              partial_multiple=True)
    plan = open_plan()
    registration = sitting(plan, user=world.candidate)
    attempt, key = _subset_of_multiples(registration, world.candidate)
    multiple = next(e for e in key if e.qtype == "multiple")
    question_correct(plan=plan, version_id=multiple.version_id, kind="void", reason="选项有误",
                     acting_user=world.central)
    # the voided 多选 earns its full points, the other 多选 keep their half
    assert Score.objects.get(attempt=attempt).total == _expected(key, partial=True) + multiple.points / 2
    assert AuditLog.objects.filter(action="score.regrade").exists()


def test_the_setting_is_audited_and_needs_points_whose_half_fits_one_decimal(world, bank):
    rule = make_rule(world.central, name="新取证 A 类", partial_multiple=True)
    log = AuditLog.objects.get(action="paper_rule.create", object_id=str(rule.pk))
    assert log.after["partial_multiple"] is True
    with pytest.raises(ApplicationError, match="一半") as exc:
        make_rule(world.central, name="新取证 B 类", personnel_types="B", partial_multiple=True,
                  points={"single": "1", "multiple": "1.5", "judge": "1"})
    assert exc.value.field == "points_multiple"
    # without partial credit 1.5 is fine
    make_rule(world.central, name="新取证 B 类", personnel_types="B", points={"single": "1", "multiple": "1.5",
                                                                            "judge": "1"})


def test_the_rule_form_saves_the_setting_and_the_page_states_the_rule(client, world, bank):
    from django.urls import reverse

    from papers.choices import PARTIAL_MULTIPLE_RULE
    from questions.models import KnowledgeArea

    client.force_login(world.central)
    data = {"name": "继续教育通用", "exam_type": "continuing_online", "personnel_types": ["A", "B", "C"],
            "points_single": "1", "points_multiple": "2", "points_judge": "1", "pass_mark": "10",
            "partial_multiple": "on"}
    for area in KnowledgeArea.objects.all():
        data[f"cell_{area.pk}_single"] = 2
        data[f"cell_{area.pk}_multiple"] = 2
    response = client.post(reverse("papers:rule_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    from papers.models import PaperRule

    rule = PaperRule.objects.get(name="继续教育通用")
    assert rule.partial_multiple
    page = client.get(reverse("papers:rule_detail", args=[rule.pk])).content.decode()
    assert PARTIAL_MULTIPLE_RULE in page


def test_regrade_rewrites_a_score_whose_points_moved_between_questions(world, bank):
    """Same total, different per-question points: still a changed score, written back."""
    from results.services import plan_regrade

    make_rule(world.central, name="继续教育", exam_type=ExamType.CONTINUING_ONLINE, personnel_types="ABC")
    plan = open_plan()
    registration = sitting(plan, user=world.candidate)
    attempt, key = _subset_of_multiples(registration, world.candidate)
    score = Score.objects.get(attempt=attempt)
    right = next(e for e in key if e.qtype == "single")
    wrong = next(e for e in key if e.qtype == "multiple")
    moved = {**score.earned, str(right.position): "0", str(wrong.position): str(right.points)}
    Score.objects.filter(pk=score.pk).update(earned=moved)
    assert plan_regrade(plan=plan, acting_user=world.central) == 1
    score.refresh_from_db()
    assert score.earned[str(right.position)] == str(right.points) and score.earned[str(wrong.position)] == "0"
    assert plan_regrade(plan=plan, acting_user=world.central) == 0
