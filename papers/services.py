"""Writes of paper rules and papers (组卷规则、试卷; SPEC.md §5; docs/decisions.md#bank-and-papers).

Rules:
* a rule is central's; at most one active rule per 考核类型 × 人员类型 (RuleTarget's unique
  constraint; 继续教育: one rule shared by A, B and C, SPEC.md §2); total = Σ count × points;
  0 < pass mark ≤ total. A rule the bank cannot satisfy may be saved (central fixes the bank
  next), and says so on its page and on every approved plan that will use it;
* changing a rule never changes a paper already drawn: papers read their PaperDraw, a frozen
  copy of the rule and of the pools, taken when a plan's first paper of a type is drawn;
* every registration of an approved plan gets its own paper, drawn from a stored seed
  (papers.drawing), generated in the background once the roster freezes (48 hours before
  the start: the periodic task papers.generate_due, or the jobs fallback without a broker);
  a later correction gets its paper by the same run (missing ones are drawn; a paper whose
  personnel type no longer matches its registration is drawn again until the exam starts);
* nothing is drawn when a candidate presses start; a type whose rule is missing or short gets
  no paper (never a partial one) and the plan page says why."""

import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record, model_snapshot
from candidates.models import Registration
from core.errors import ApplicationError
from core.roles import Role
from core.scoping import require_role
from plans.choices import AuditStatus, ExamType
from plans.models import ExamPlan
from plans.rules import roster_cutoff
from questions.choices import QUESTION_TYPE_ORDER, QuestionType
from questions.models import KnowledgeArea
from questions.selectors import draw_pool
from questions.services import versions_mark_used
from questions.validation import FieldInvalid, clean_personnel_types

from . import drawing
from .choices import GENERATE_BATCH
from .models import Paper, PaperDraw, PaperRule, RuleCell, RuleTarget

log = logging.getLogger(__name__)

RULE_FIELDS = ["name", "exam_type", "personnel_types", "points_single", "points_multiple", "points_judge",
               "total_points", "pass_mark", "partial_multiple", "is_active", "revision"]
MAX_CELL_COUNT = 500
STALE_MESSAGE = "规则已被他人修改，请刷新后重试"
RULES_CENTRAL_ONLY = "组卷规则仅由部中心维护"


# ---------------------------------------------------------------- rules

@dataclass
class RuleInput:
    name: str
    exam_type: str
    personnel_types: str
    points: dict  # qtype -> points (any number-like)
    pass_mark: object
    cells: list  # [(area_id, qtype, count)]
    partial_multiple: bool = False  # 多选题部分得分 (papers.choices.PARTIAL_MULTIPLE_RULE)


def _decimal(value, *, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(f"{label}应为数字", field=field) from None
    if number < 0 or number != number.quantize(Decimal("0.1")) or number >= 1000:
        raise ApplicationError(f"{label}应为 0–999.9 之间、最多一位小数的数字", field=field)
    return number


def _clean_rule(data: RuleInput, *, rule: PaperRule | None) -> tuple[dict, list]:
    name = (data.name or "").strip()
    if not name:
        raise ApplicationError("规则名称不能为空", field="name")
    if data.exam_type not in ExamType.values:
        raise ApplicationError("考核类型无效", field="exam_type")
    try:
        ptypes = clean_personnel_types(data.personnel_types)
    except FieldInvalid as exc:
        raise ApplicationError(exc.message, field="personnel_types") from None
    points = {q: _decimal(data.points.get(q, 0), field=f"points_{q}", label=f"{QuestionType(q).label}每题分值")
              for q in QUESTION_TYPE_ORDER}
    areas = set(KnowledgeArea.objects.values_list("pk", flat=True))
    cells, seen = [], set()
    for area_id, qtype, count in data.cells:
        if not count:
            continue
        if int(area_id) not in areas or qtype not in QuestionType.values:
            raise ApplicationError("组卷结构中的知识领域或题型无效", field="cells")
        if not 0 < int(count) <= MAX_CELL_COUNT:
            raise ApplicationError(f"每格题数应为 0–{MAX_CELL_COUNT} 的整数", field="cells")
        if (int(area_id), qtype) in seen:
            raise ApplicationError("组卷结构中同一知识领域和题型重复", field="cells")
        seen.add((int(area_id), qtype))
        cells.append((int(area_id), qtype, int(count)))
    if not cells:
        raise ApplicationError("组卷结构至少需要一道题", field="cells")
    for qtype in {q for _a, q, _c in cells}:
        if points[qtype] <= 0:
            raise ApplicationError(f"{QuestionType(qtype).label}有题目，其分值须大于 0", field=f"points_{qtype}")
    total = sum((points[q] * c for _a, q, c in cells), Decimal(0))
    pass_mark = _decimal(data.pass_mark, field="pass_mark", label="合格分数线")
    if not 0 < pass_mark <= total:
        raise ApplicationError(f"合格分数线应大于 0 且不超过总分 {total}", field="pass_mark")
    partial = bool(data.partial_multiple)
    if partial and (points[QuestionType.MULTIPLE] / 2) != (points[QuestionType.MULTIPLE] / 2).quantize(Decimal("0.1")):
        raise ApplicationError(
            f"开启多选题部分得分时，少选得每题分值的一半，须能精确到 0.1 分：多选题每题分值 {points[QuestionType.MULTIPLE]} "
            "的一半不行（可用 1、2、3 等）", field="points_multiple")
    taken = (RuleTarget.objects.filter(exam_type=data.exam_type, personnel_type__in=list(ptypes))
             .exclude(rule=rule).select_related("rule").first())
    if taken:
        raise ApplicationError(
            f"{ExamType(data.exam_type).label} {taken.personnel_type} 类已由规则“{taken.rule.name}”适用，"
            "请先修改或停用该规则", field="personnel_types")
    values = {"name": name[:100], "exam_type": data.exam_type, "personnel_types": ptypes,
              "points_single": points[QuestionType.SINGLE], "points_multiple": points[QuestionType.MULTIPLE],
              "points_judge": points[QuestionType.JUDGE], "total_points": total, "pass_mark": pass_mark,
              "partial_multiple": partial}
    return values, cells


def _snapshot(rule: PaperRule) -> dict:
    data = model_snapshot(rule, RULE_FIELDS)
    data["cells"] = [[c.area_id, c.qtype, c.count] for c in rule.cells.order_by("area_id", "qtype")]
    return data


def _save_rule(rule: PaperRule, values: dict, cells: list) -> None:
    for key, value in values.items():
        setattr(rule, key, value)
    rule.save()
    rule.cells.all().delete()
    RuleCell.objects.bulk_create([RuleCell(rule=rule, area_id=a, qtype=q, count=c) for a, q, c in cells])
    rule.targets.all().delete()
    if rule.is_active:
        try:
            with transaction.atomic():
                RuleTarget.objects.bulk_create(
                    [RuleTarget(rule=rule, exam_type=rule.exam_type, personnel_type=p) for p in rule.personnel_types])
        except IntegrityError:  # another rule took the pair between the check and now
            raise ApplicationError("该考核类型和人员类型已有适用的规则", field="personnel_types") from None


def rule_create(*, data: RuleInput, acting_user, is_demo: bool = False) -> PaperRule:
    """新建组卷规则 (central)."""
    require_role(acting_user, Role.CENTRAL, message=RULES_CENTRAL_ONLY)
    with transaction.atomic():
        values, cells = _clean_rule(data, rule=None)
        rule = PaperRule(created_by=acting_user, is_demo=is_demo)
        _save_rule(rule, values, cells)
        audit_record(actor=acting_user, action=Action.PAPER_RULE_CREATE, obj=rule, after=_snapshot(rule),
                     message=f"新建组卷规则：{rule.name}")
    return rule


def rule_update(*, rule: PaperRule, data: RuleInput, seen_revision: int | None, acting_user) -> PaperRule:
    """修改组卷规则: a new revision; papers already drawn keep the revision their draw froze."""
    require_role(acting_user, Role.CENTRAL, message=RULES_CENTRAL_ONLY)
    with transaction.atomic():
        rule = PaperRule.objects.select_for_update().get(pk=rule.pk)
        if seen_revision is not None and int(seen_revision) != rule.revision:
            raise ApplicationError(STALE_MESSAGE, code="stale")
        before = _snapshot(rule)
        values, cells = _clean_rule(data, rule=rule)
        values["revision"] = rule.revision + 1
        _save_rule(rule, values, cells)
        after = _snapshot(rule)
        audit_record(actor=acting_user, action=Action.PAPER_RULE_UPDATE, obj=rule, before=before, after=after,
                     message=f"修改组卷规则：{rule.name}（修订 {rule.revision}，已生成的试卷不受影响）")
    return rule


def rule_set_active(*, rule: PaperRule, active: bool, acting_user) -> PaperRule:
    """停用 / 启用 a rule: a disabled rule answers for no pair (its targets go), drawn papers stay."""
    require_role(acting_user, Role.CENTRAL, message=RULES_CENTRAL_ONLY)
    with transaction.atomic():
        rule = PaperRule.objects.select_for_update().get(pk=rule.pk)
        if rule.is_active == active:
            return rule
        before = _snapshot(rule)
        if active:
            values, cells = _clean_rule(RuleInput(
                name=rule.name, exam_type=rule.exam_type, personnel_types=rule.personnel_types,
                points={q: rule.points_for(q) for q in QUESTION_TYPE_ORDER}, pass_mark=rule.pass_mark,
                cells=[(c.area_id, c.qtype, c.count) for c in rule.cells.all()],
                partial_multiple=rule.partial_multiple), rule=rule)
        else:
            values, cells = {}, [(c.area_id, c.qtype, c.count) for c in rule.cells.all()]
        rule.is_active = active
        values["revision"] = rule.revision + 1
        _save_rule(rule, values, cells)
        audit_record(actor=acting_user, action=Action.PAPER_RULE_ENABLE if active else Action.PAPER_RULE_DISABLE, obj=rule,
                     before=before, after=_snapshot(rule), message=f"{'启用' if active else '停用'}组卷规则：{rule.name}")
    return rule


def rule_for(*, exam_type: str, personnel_type: str) -> PaperRule | None:
    target = RuleTarget.objects.select_related("rule").filter(exam_type=exam_type, personnel_type=personnel_type).first()
    return target.rule if target else None


def rule_blueprint(rule: PaperRule) -> dict:
    """The rule as plain data (the shape papers.drawing reads), sections in 题型 order, cells in
    the areas' order. `partial_multiple` travels with it, so a frozen draw grades its papers by
    the setting the rule had when the plan's papers were drawn (results.services)."""
    cells = list(rule.cells.select_related("area").order_by("area__sort_order", "area_id"))
    sections = []
    for qtype in QUESTION_TYPE_ORDER:
        section_cells = [{"area": c.area_id, "area_name": c.area.name, "count": c.count, "pool": f"{c.area_id}:{qtype}"}
                         for c in cells if c.qtype == qtype]
        if section_cells:
            sections.append({"qtype": str(qtype), "points": str(rule.points_for(qtype)), "cells": section_cells})
    return {"rule_id": rule.pk, "rule_name": rule.name, "rule_revision": rule.revision,
            "total_points": str(rule.total_points), "pass_mark": str(rule.pass_mark),
            "partial_multiple": bool(rule.partial_multiple), "sections": sections}


def rule_pools(*, blueprint: dict, exam_type: str, personnel_type: str) -> dict:
    pools = draw_pool(exam_type=exam_type, personnel_type=personnel_type)
    return {cell["pool"]: pools.get((cell["area"], drawing.cell_qtype(cell)), [])
            for section in blueprint["sections"] for cell in section["cells"]}


# ---------------------------------------------------------------- papers

class NoRule(ApplicationError):
    pass


def _draw_for(plan: ExamPlan, personnel_type: str) -> PaperDraw:
    """The plan's frozen draw for one personnel type, taken now from the active rule and the
    bank's enabled questions if it does not exist yet. Raises NoRule / ApplicationError."""
    existing = PaperDraw.objects.filter(plan=plan, personnel_type=personnel_type).first()
    if existing:
        return existing
    rule = rule_for(exam_type=plan.exam_type, personnel_type=personnel_type)
    if rule is None:
        raise NoRule(f"{ExamType(plan.exam_type).label} {personnel_type} 类未配置组卷规则")
    blueprint = rule_blueprint(rule)
    pools = rule_pools(blueprint=blueprint, exam_type=plan.exam_type, personnel_type=personnel_type)
    try:
        drawing.check_draw(blueprint, pools)
    except drawing.DrawShort as exc:
        raise ApplicationError(f"{personnel_type} 类（规则“{rule.name}”）题库题量不足：{exc}") from None
    try:
        with transaction.atomic():
            return PaperDraw.objects.create(plan=plan, personnel_type=personnel_type, rule=rule,
                                            rule_revision=rule.revision, blueprint=blueprint, pools=pools)
    except IntegrityError:  # a concurrent run froze it first: use that one
        return PaperDraw.objects.get(plan=plan, personnel_type=personnel_type)


@dataclass
class GenerationResult:
    total: int = 0
    created: int = 0
    replaced: int = 0
    present: int = 0
    problems: list = field(default_factory=list)  # Chinese messages, one per personnel type that failed

    @property
    def summary(self) -> str:
        text = f"试卷已生成 {self.present} / {self.total}（本次新增 {self.created}"
        text += f"，重新生成 {self.replaced}）" if self.replaced else "）"
        if self.problems:
            text += "；" + "；".join(self.problems)
        return text


def _build(draw: PaperDraw, registration_id: int, personnel_type: str, used: set) -> Paper:
    seed = drawing.new_seed()
    sections, items = drawing.draw(seed, draw.blueprint, draw.pools)
    used.update(item[0] for item in items)
    return Paper(registration_id=registration_id, plan_id=draw.plan_id, draw=draw, personnel_type=personnel_type,
                 seed=seed, sections=sections, items=items,
                 total_points=Decimal(draw.blueprint["total_points"]), pass_mark=Decimal(draw.blueprint["pass_mark"]))


def papers_generate(*, plan: ExamPlan, acting_user=None, job=None, now: datetime.datetime | None = None
                    ) -> GenerationResult:
    """Draw the missing papers of an approved plan (docs/decisions.md#paper-draws). Safe to run twice at once:
    each batch inserts with the one-paper-per-registration constraint, conflicts ignored.
    `acting_user` None is the periodic task (the audit row says 系统)."""
    from jobs.services import job_progress

    now = now or timezone.now()
    plan = ExamPlan.objects.get(pk=plan.pk)
    if plan.audit_status != AuditStatus.APPROVED:
        raise ApplicationError("该考核计划尚未审核通过，不能生成试卷")
    result = GenerationResult()
    registrations = list(Registration.objects.filter(plan=plan).values_list("pk", "personnel_type", "candidate_number"))
    result.total = len(registrations)
    have = dict(Paper.objects.filter(plan=plan).values_list("registration_id", "personnel_type"))
    before_start = now < plan.starts_at
    stale = [(pk, ptype, number) for pk, ptype, number in registrations
             if pk in have and have[pk] != ptype and before_start]
    missing = [(pk, ptype, number) for pk, ptype, number in registrations if pk not in have] + stale
    if job is not None:
        job_progress(job, done=result.total - len(missing), total=result.total)
    draws, used = {}, set()
    for ptype in sorted({p for _pk, p, _n in missing}):
        try:
            draws[ptype] = _draw_for(plan, ptype)
        except ApplicationError as exc:
            result.problems.append(exc.message)
    stale_ids = {pk for pk, _p, _n in stale}
    todo = [(pk, p, n) for pk, p, n in missing if p in draws]
    for start in range(0, len(todo), GENERATE_BATCH):
        batch = todo[start:start + GENERATE_BATCH]
        with transaction.atomic():
            replace = [(pk, n) for pk, _p, n in batch if pk in stale_ids]
            if replace:
                for pk, number in replace:
                    old = Paper.objects.filter(registration_id=pk).first()
                    if old is None:
                        continue
                    audit_record(actor=acting_user, action=Action.PAPER_REPLACE, obj=plan, region=plan.region_id,
                                 before={"registration": pk, "personnel_type": old.personnel_type, "seed": old.seed},
                                 message=f"考生 {number} 的人员类型已更正，重新生成试卷")
                    old.delete()
                result.replaced += len(replace)
            papers = [_build(draws[p], pk, p, used) for pk, p, _n in batch]
            Paper.objects.bulk_create(papers, ignore_conflicts=True)
        if job is not None:
            job_progress(job, done=result.total - len(missing) + start + len(batch))
    versions_mark_used(used, now=now)
    result.present = Paper.objects.filter(plan=plan).count()
    result.created = max(0, result.present - (len(have)))
    if todo or result.problems:
        audit_record(actor=acting_user, action=Action.PAPER_GENERATE, obj=plan, region=plan.region_id,
                     after={"total": result.total, "present": result.present, "created": result.created,
                            "replaced": result.replaced, "problems": result.problems},
                     message=f"生成试卷（批次 {plan.batch_no}）：{result.summary}")
    return result


def papers_generate_job(*, job, plan_id: int, user_id: int | None = None) -> None:
    """The jobs entry point (thread or Celery) of papers_generate."""
    from accounts.models import User
    from jobs.services import job_finish

    plan = ExamPlan.objects.get(pk=plan_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        result = papers_generate(plan=plan, acting_user=user, job=job)
    finally:
        cache.delete(_lock_key(plan_id))
    job_finish(job, message=result.summary, result={"present": result.present, "total": result.total,
                                                    "problems": result.problems})


def _lock_key(plan_id) -> str:
    return f"papers:generate:{plan_id}"


def due_window(now: datetime.datetime) -> dict:
    """Plans whose roster has frozen and whose exam has not ended (papers are due)."""
    return {"audit_status": AuditStatus.APPROVED, "starts_at__lte": now + datetime.timedelta(hours=48),
            "ends_at__gt": now}


def plan_is_due(plan: ExamPlan, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return plan.audit_status == AuditStatus.APPROVED and roster_cutoff(plan) <= now < plan.ends_at


def papers_enqueue(*, plan: ExamPlan, acting_user=None, now=None):
    """Start generation as a background job (jobs: Celery, or a thread without a broker) unless
    one for the plan is already under way. Returns the job, or None when one is running."""
    from jobs.services import job_create, job_enqueue

    if not cache.add(_lock_key(plan.pk), 1, timeout=15 * 60):
        return None
    job = job_create(kind="papers.generate", title=f"生成试卷（批次 {plan.batch_no}）", acting_user=acting_user,
                     region=None)
    return job_enqueue(job, "papers.services:papers_generate_job", plan_id=plan.pk,
                       user_id=acting_user.pk if acting_user else None)


def papers_generate_due(*, now: datetime.datetime | None = None) -> list[tuple[str, GenerationResult]]:
    """The periodic task's body (Celery beat, or `manage.py generate_papers`): every plan whose
    roster has frozen and that lacks papers gets them drawn now."""
    from .selectors import plans_missing_papers

    now = now or timezone.now()
    done = []
    for plan in plans_missing_papers(now=now):
        if not cache.add(_lock_key(plan.pk), 1, timeout=15 * 60):
            continue
        try:
            done.append((plan.batch_no, papers_generate(plan=plan, now=now)))
        except Exception:  # one plan's failure never stops the others
            log.exception("paper generation failed for plan %s", plan.pk)
        finally:
            cache.delete(_lock_key(plan.pk))
    return done


# ---------------------------------------------------------------- printed versions (answer-card mode)

def paper_draw_for(*, plan: ExamPlan, personnel_type: str) -> PaperDraw:
    """The plan's frozen draw for one personnel type, taken now from the active rule if it does
    not exist yet (the answer-card mode prints its paper versions from it). Raises
    ApplicationError with the reason when the type has no rule or the bank cannot satisfy it."""
    return _draw_for(plan, personnel_type)


def papers_set_seeds(*, plan: ExamPlan, seeds: dict[int, tuple[str, int]], acting_user, reason: str) -> int:
    """Give each registration the paper its seed draws from the plan's draw of its personnel
    type ({registration_id: (personnel_type, seed)}): the answer-card mode (新取证(线下)) prints a
    few versions and every candidate of a version sits that one printed paper, so their papers
    must be that version's, not one drawn for them alone. A paper already drawn from that seed
    and draw is kept; any other is replaced. One audit row for the plan. Returns how many papers
    were written."""
    if not seeds:
        return 0
    draws = {ptype: _draw_for(plan, ptype) for ptype in sorted({p for p, _s in seeds.values()})}
    have = {p.registration_id: (p.seed, p.draw_id, p.personnel_type) for p in Paper.objects.filter(
        plan=plan, registration_id__in=list(seeds)).only("registration_id", "seed", "draw_id", "personnel_type")}
    built, used, papers = {}, set(), []
    for registration_id, (ptype, seed) in seeds.items():
        draw = draws[ptype]
        if have.get(registration_id) == (seed, draw.pk, ptype):
            continue
        if (ptype, seed) not in built:
            built[(ptype, seed)] = drawing.draw(seed, draw.blueprint, draw.pools)
            used.update(item[0] for item in built[(ptype, seed)][1])
        sections, items = built[(ptype, seed)]
        papers.append(Paper(registration_id=registration_id, plan_id=plan.pk, draw=draw, personnel_type=ptype,
                            seed=seed, sections=sections, items=items,
                            total_points=Decimal(draw.blueprint["total_points"]),
                            pass_mark=Decimal(draw.blueprint["pass_mark"])))
    if not papers:
        return 0
    with transaction.atomic():
        replaced = Paper.objects.filter(registration_id__in=[p.registration_id for p in papers]).delete()[0]
        Paper.objects.bulk_create(papers, batch_size=GENERATE_BATCH)
        versions_mark_used(used, now=timezone.now())
        audit_record(actor=acting_user, action=Action.PAPER_ASSIGN_VERSION, obj=plan, region=plan.region_id,
                     after={"papers": len(papers), "replaced": replaced, "versions": len(built)},
                     reason=reason, message=f"按试卷版本生成考生试卷（批次 {plan.batch_no}）：{len(papers)} 份")
    return len(papers)
