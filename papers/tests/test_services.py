import datetime
import json

import pytest
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditLog
from candidates.tests.factories import RegistrationFactory
from core.errors import ApplicationError, PermissionDenied
from papers.choices import CellStatus
from papers.models import Paper, PaperRule, RuleTarget
from papers.selectors import (
    answer_key,
    candidate_payload,
    displayed_to_canonical,
    paper_for_registration,
    paper_matches_seed,
    paper_progress,
    plan_rule_warnings,
    plans_missing_papers,
    rule_report,
)
from papers.services import papers_generate, papers_generate_due, rule_set_active, rule_update
from papers.tests.factories import make_rule, rule_input
from questions.models import KnowledgeArea, Question, QuestionVersion
from questions.services import question_delete, question_set_enabled, question_update, question_upsert
from questions.tests.factories import make_bank, question_raw
from questions.validation import clean_question

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- rules

def test_rule_totals_and_audit(world, bank):
    rule = make_rule(world.central, per_cell=2)
    # 2 areas × (2 single × 1 + 2 multiple × 2 + 2 judge × 1) = 16
    assert rule.total_points == 16 and rule.pass_mark == 10
    assert list(rule.targets.values_list("exam_type", "personnel_type")) == [("new_online", "A")]
    assert AuditLog.objects.filter(action=Action.PAPER_RULE_CREATE, object_id=str(rule.pk)).exists()


def test_only_central_writes_rules(world, bank):
    for user in (world.admin_a, world.candidate):
        with pytest.raises(PermissionDenied):
            make_rule(user)
    assert not PaperRule.objects.exists()


def test_pass_mark_above_total_is_refused(world, bank):
    with pytest.raises(ApplicationError, match="不超过总分 16"):
        make_rule(world.central, pass_mark=17)


def test_one_rule_per_exam_type_and_personnel_type(world, bank):
    make_rule(world.central, name="继续教育通用", exam_type="continuing_online", personnel_types="ABC")
    with pytest.raises(ApplicationError, match="继续教育\\(线上\\) B 类已由规则“继续教育通用”适用"):
        make_rule(world.central, name="继续教育 B", exam_type="continuing_online", personnel_types="B")
    assert RuleTarget.objects.filter(exam_type="continuing_online").count() == 3


def test_disabled_rule_frees_its_pairs(world, bank):
    rule = make_rule(world.central, personnel_types="A")
    rule_set_active(rule=rule, active=False, acting_user=world.central)
    assert not RuleTarget.objects.exists()
    make_rule(world.central, name="新的 A 类", personnel_types="A")
    with pytest.raises(ApplicationError, match="已由规则"):
        rule_set_active(rule=rule, active=True, acting_user=world.central)


def test_unsatisfiable_rule_is_reported_short_and_barely_as_warning(world, bank):
    # the bank has 6 per cell: 7 needed is short, 4 is barely (fewer than twice), 3 is fine
    area = KnowledgeArea.objects.order_by("sort_order").first()
    rule = make_rule(world.central, cells=[(area.pk, "single", 7), (area.pk, "multiple", 4), (area.pk, "judge", 3)])
    report = rule_report(rule)
    status = {c.qtype: (c.status, c.need, c.least) for c in report.cells}
    assert status == {"single": (CellStatus.SHORT, 7, 6), "multiple": (CellStatus.BARELY, 4, 6),
                      "judge": (CellStatus.OK, 3, 6)}
    assert report.status == CellStatus.SHORT


def test_shared_rule_counts_each_personnel_type(world):
    make_bank(world.central, per_cell=6, personnel_types="A", prefix="A")
    make_bank(world.central, per_cell=6, personnel_types="BC", prefix="B")
    rule = make_rule(world.central, exam_type="continuing_online", personnel_types="ABC", per_cell=5)
    cell = rule_report(rule).cells[0]
    assert cell.available == {"A": 6, "B": 6, "C": 6} and cell.status == CellStatus.BARELY


def test_disabled_questions_do_not_count(world, bank):
    area = KnowledgeArea.objects.order_by("sort_order").first()
    rule = make_rule(world.central, cells=[(area.pk, "judge", 6)])
    assert rule_report(rule).status == CellStatus.BARELY
    question_set_enabled(question=Question.objects.filter(area=area, qtype="judge").first(), enabled=False,
                         acting_user=world.central)
    assert rule_report(rule).status == CellStatus.SHORT


# ---------------------------------------------------------------- papers

def test_every_registration_gets_its_own_paper(world, rules, registrations, frozen_plan):
    result = papers_generate(plan=frozen_plan, acting_user=world.central)
    assert (result.created, result.present, result.total, result.problems) == (5, 5, 5, [])
    assert paper_progress(frozen_plan) == (5, 5)
    papers = [paper_for_registration(r) for r in registrations]
    assert all(p.personnel_type == r.personnel_type for p, r in zip(papers, registrations, strict=True))
    assert len({json.dumps(p.items) for p in papers}) == 5  # two papers of one plan differ
    # 2 areas × 2 per type; sections in 题型 order
    assert papers[0].sections == [["single", 4, "1.0"], ["multiple", 4, "2.0"], ["judge", 4, "1.0"]]
    assert papers[0].total_points == 16
    assert AuditLog.objects.filter(action=Action.PAPER_GENERATE, object_id=str(frozen_plan.pk)).count() == 1
    # a second run draws nothing new and writes no audit row
    again = papers_generate(plan=frozen_plan)
    assert again.created == 0 and Paper.objects.count() == 5
    assert AuditLog.objects.filter(action=Action.PAPER_GENERATE).count() == 1


def test_a_paper_is_rebuilt_exactly_from_its_seed(world, rules, registrations, frozen_plan):
    papers_generate(plan=frozen_plan)
    paper = paper_for_registration(registrations[0])
    # the bank moves on: new questions, a disabled one, an edited one; the rebuild does not
    make_bank(world.central, per_cell=3, prefix="N")
    question_set_enabled(question=Question.objects.first(), enabled=False, acting_user=world.central)
    assert paper_matches_seed(paper)
    paper.items[0][1] = paper.items[0][1][::-1]
    assert not paper_matches_seed(paper)


def test_changing_a_rule_never_changes_drawn_papers(world, rules, registrations, frozen_plan):
    papers_generate(plan=frozen_plan)
    before = {p.pk: (p.items, p.total_points) for p in Paper.objects.all()}
    rule = rules["A"]
    rule_update(rule=rule, data=rule_input(per_cell=1, pass_mark=5), seen_revision=rule.revision,
                acting_user=world.central)
    # a late registration of the same plan draws from the plan's frozen draw, not the new rule
    late = RegistrationFactory(plan=frozen_plan, personnel_type="A")
    papers_generate(plan=frozen_plan)
    assert {p.pk: (p.items, p.total_points) for p in Paper.objects.exclude(registration=late)} == before
    assert paper_for_registration(late).total_points == 16
    assert all(paper_matches_seed(p) for p in Paper.objects.all())


def test_editing_a_used_question_keeps_the_papers_version(world, rules, registrations, frozen_plan):
    papers_generate(plan=frozen_plan)
    paper = paper_for_registration(registrations[0])
    version_id = paper.items[0][0]
    version = QuestionVersion.objects.get(pk=version_id)
    assert version.used_at is not None
    question = version.question
    with pytest.raises(ApplicationError, match="只能停用"):
        question_delete(question=question, acting_user=world.central)
    raw = question_raw(question.code, qtype=version.qtype, area=question.area.name, stem="修订后的题干（）")
    outcome = question_upsert(data=clean_question(raw), acting_user=world.central)
    assert outcome.status == "new_version"
    paper.refresh_from_db()
    assert paper.items[0][0] == version_id
    assert candidate_payload(paper)["questions"][0]["stem"] == version.stem


def test_short_rule_draws_no_paper_and_says_why(world, bank, registrations, frozen_plan):
    area = KnowledgeArea.objects.order_by("sort_order").first()
    make_rule(world.central, personnel_types="AB", cells=[(area.pk, "single", 9)])
    result = papers_generate(plan=frozen_plan)
    assert result.present == 0
    assert any("A 类" in p and "需要 9 题，题库仅有 6 题" in p for p in result.problems)
    assert any("C 类未配置组卷规则" in p for p in result.problems)
    warnings = plan_rule_warnings(frozen_plan)
    assert any("A 类" in w and "题量不足" in w for w in warnings)
    assert any("C 类" in w and "尚未配置组卷规则" in w for w in warnings)


def test_corrected_personnel_type_gets_a_new_paper_before_the_start(world, rules, registrations, frozen_plan):
    papers_generate(plan=frozen_plan)
    reg = registrations[0]
    old = paper_for_registration(reg)
    type(reg).objects.filter(pk=reg.pk).update(personnel_type="C")
    assert frozen_plan in plans_missing_papers()
    result = papers_generate(plan=frozen_plan)
    new = paper_for_registration(reg)
    assert result.replaced == 1 and new.personnel_type == "C" and new.pk != old.pk
    assert AuditLog.objects.filter(action=Action.PAPER_REPLACE).count() == 1


def test_due_scan_generates_only_frozen_plans(world, rules, frozen_plan, registrations):
    from plans.tests.factories import ExamPlanFactory

    open_plan = ExamPlanFactory(days_ahead=10)
    RegistrationFactory(plan=open_plan, personnel_type="A")
    done = papers_generate_due()
    assert [batch for batch, _r in done] == [frozen_plan.batch_no]
    assert paper_progress(frozen_plan) == (5, 5) and paper_progress(open_plan) == (0, 1)
    assert papers_generate_due() == []
    # 48 hours before the start the open plan is due too
    later = open_plan.starts_at - datetime.timedelta(hours=47)
    assert [b for b, _r in papers_generate_due(now=later)] == [open_plan.batch_no]
    assert frozen_plan.starts_at > timezone.now()


# ---------------------------------------------------------------- the contract

def test_candidate_payload_never_holds_the_key(world, rules, registrations, frozen_plan):
    papers_generate(plan=frozen_plan)
    paper = paper_for_registration(registrations[0])
    payload = candidate_payload(paper)
    text = json.dumps(payload, ensure_ascii=False)
    key = answer_key(paper)
    assert len(payload["questions"]) == len(key) == 12
    for name in ("answer", "explanation", "permutation", "canonical", "seed", "version"):
        assert f'"{name}' not in text
    assert "依据《通信建设工程安全生产管理规定》" not in text  # the explanation's words
    assert str(paper.seed) not in text
    # options in displayed order, with display letters
    first = payload["questions"][0]
    version = QuestionVersion.objects.get(pk=paper.items[0][0])
    perm = paper.items[0][1]
    assert [o["letter"] for o in first["options"]] == list("ABCDEFGH"[:len(perm)])
    assert [o["text"] for o in first["options"]] == [version.options["ABCDEFGH".index(c)] for c in perm]


def test_answer_key_in_both_letters(world, rules, registrations, frozen_plan):
    papers_generate(plan=frozen_plan)
    paper = paper_for_registration(registrations[0])
    payload = candidate_payload(paper)
    for entry, question in zip(answer_key(paper), payload["questions"], strict=True):
        version = QuestionVersion.objects.get(pk=entry.version_id)
        assert entry.canonical == version.answer
        # the options the candidate sees under the displayed key are the version's correct ones
        shown = {o["letter"]: o["text"] for o in question["options"]}
        assert sorted(shown[c] for c in entry.displayed) == sorted(version.options["ABCDEFGH".index(c)]
                                                                    for c in version.answer)
        assert displayed_to_canonical(paper, entry.position, entry.displayed) == entry.canonical


def test_paper_loads_in_one_query(world, rules, registrations, frozen_plan, django_assert_num_queries):
    papers_generate(plan=frozen_plan)
    with django_assert_num_queries(1):
        paper = paper_for_registration(registrations[0])
        assert len(paper.items) == 12


def test_regions_never_see_papers_and_candidates_only_their_own(world, rules, registrations, frozen_plan):
    papers_generate(plan=frozen_plan)
    for user in (world.admin_a, world.admin_b, world.candidate):
        assert not Paper.objects.visible_to(user).exists()
    person = registrations[0].person
    person.user = world.candidate
    person.save()
    assert list(Paper.objects.visible_to(world.candidate)) == [paper_for_registration(registrations[0])]


def test_unapproved_plan_gets_no_paper(world, rules):
    from plans.choices import AuditStatus
    from plans.tests.factories import ExamPlanFactory

    plan = ExamPlanFactory(audit_status=AuditStatus.PENDING, days_ahead=1)
    with pytest.raises(ApplicationError, match="尚未审核通过"):
        papers_generate(plan=plan)


def test_metadata_edit_changes_future_pools_only(world, rules, registrations, frozen_plan):
    q = Question.objects.filter(personnel_types="ABC").first()
    question_update(question=q, data=clean_question(question_raw(q.code, qtype=q.qtype, area=q.area.name,
                                                                 personnel_types="B",
                                                                 stem=q.current_version.stem,
                                                                 options=q.current_version.options,
                                                                 answer=q.current_version.answer)),
                    acting_user=world.central)
    papers_generate(plan=frozen_plan)
    a_ids = {i[0] for p in Paper.objects.filter(personnel_type="A") for i in p.items}
    assert q.current_version_id not in a_ids
