"""Reads of rules and papers, and THE CONTRACT the exam engine, the grader and the answer-card
mode read papers through (docs/decisions.md: the paper contract).

    paper = paper_for_registration(registration)     # one query; None until generated
    payload = candidate_payload(paper)               # what a candidate's browser may receive
    key = answer_key(paper)                          # server side only: per position, the answer
    canonical = displayed_to_canonical(paper, position, "AB")   # a given answer → version letters

Positions are 1-based and follow the paper's display order. A displayed letter is the letter
the candidate saw (A–H in display order); a canonical letter is the question version's own
(QuestionVersion.answer is in canonical letters). Grading compares canonical letters:
`displayed_to_canonical(paper, pos, given) == answer_key(paper)[pos - 1].canonical`.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from candidates.models import Registration
from core.scoping import get_visible_or_404
from plans.models import ExamPlan
from questions.choices import LETTERS, QuestionType
from questions.models import QuestionVersion
from questions.selectors import enabled_counts

from . import drawing
from .choices import BARELY_FACTOR, CellStatus
from .models import Paper, PaperRule, RuleTarget

# ---------------------------------------------------------------- the contract


def paper_for_registration(registration, *, annotations: dict | None = None) -> Paper | None:
    """The registration's paper in one query (the snapshot holds everything but the question
    texts), or None when none was generated. The caller has already fetched the registration
    through its own scope (a candidate's own, central's any). `annotations` lets a caller bring
    its own rows along in the same query (the exam page: the saved answers)."""
    registration_id = getattr(registration, "pk", registration)
    qs = Paper.objects.filter(registration_id=registration_id)
    if annotations:
        qs = qs.annotate(**annotations)
    return qs.first()


def paper_get(*, registration_id: int, fetched_by) -> Paper:
    """A paper the user may see (central, or its own candidate), else 404: regions never do."""
    return get_visible_or_404(Paper, fetched_by, registration_id=registration_id)


def paper_versions(paper: Paper) -> dict[int, QuestionVersion]:
    """The question versions a paper holds, in one query (immutable rows: cacheable by id)."""
    ids = {item[0] for item in paper.items}
    return {v.pk: v for v in QuestionVersion.objects.filter(pk__in=ids).only(
        "id", "qtype", "stem", "options", "answer", "explanation")}


def candidate_payload(paper: Paper, versions: dict | None = None) -> dict:
    """What a candidate's browser may receive: positions, sections, stems and options in
    displayed order with their display letters. NEVER the answer, the explanation, the
    permutation, version ids or the seed (docs/decisions.md#paper-contract: the key never leaves the server)."""
    versions = versions if versions is not None else paper_versions(paper)
    questions = []
    for position, (version_id, permutation, points) in enumerate(paper.items, start=1):
        version = versions[version_id]
        questions.append({
            "position": position,
            "qtype": version.qtype,
            "qtype_label": QuestionType(version.qtype).label,
            "points": str(points),
            "stem": version.stem,
            "options": [{"letter": LETTERS[i], "text": version.options[LETTERS.index(c)]}
                        for i, c in enumerate(permutation)],
        })
    sections, position = [], 1
    for qtype, count, points in paper.sections:
        sections.append({"qtype": qtype, "label": QuestionType(qtype).label, "count": count, "points": str(points),
                         "first_position": position})
        position += count
    return {"paper": paper.pk, "total_points": str(paper.total_points), "question_count": len(questions),
            "sections": sections, "questions": questions}


@dataclass(frozen=True)
class KeyEntry:
    position: int
    version_id: int
    qtype: str
    points: Decimal
    canonical: str  # the answer in the version's own letters ("AC")
    displayed: str  # the same answer in the letters this paper shows ("BD")
    permutation: str
    explanation: str

    def as_dict(self) -> dict:
        data = asdict(self)
        data["points"] = str(self.points)
        return data


def answer_key(paper: Paper, versions: dict | None = None) -> list[KeyEntry]:
    """Server side only: per position (index = position - 1), the correct answer in displayed
    and canonical letters. The grader, central's preview and the answer-card import read this."""
    versions = versions if versions is not None else paper_versions(paper)
    key = []
    for position, (version_id, permutation, points) in enumerate(paper.items, start=1):
        version = versions[version_id]
        key.append(KeyEntry(position=position, version_id=version_id, qtype=version.qtype,
                            points=Decimal(str(points)), canonical=version.answer,
                            displayed=drawing.canonical_to_displayed(permutation, version.answer),
                            permutation=permutation, explanation=version.explanation))
    return key


def displayed_to_canonical(paper: Paper, position: int, displayed: str) -> str:
    """An answer given in the letters the candidate saw at `position` → canonical letters,
    sorted. ValueError for a position or letter the paper does not have."""
    if not 1 <= position <= len(paper.items):
        raise ValueError(f"第 {position} 题不存在")
    return drawing.displayed_to_canonical(paper.items[position - 1][1], displayed.strip().upper())


def paper_rebuilt(paper: Paper) -> tuple[list, list]:
    """(sections, items) drawn again from the paper's seed and its frozen draw."""
    return drawing.draw(paper.seed, paper.draw.blueprint, paper.draw.pools)


def paper_matches_seed(paper: Paper) -> bool:
    sections, items = paper_rebuilt(paper)
    return sections == paper.sections and items == paper.items


# ---------------------------------------------------------------- rules and the bank


@dataclass
class CellReport:
    area_id: int
    area_name: str
    qtype: str
    need: int
    available: dict  # personnel type -> enabled questions
    status: str

    @property
    def qtype_label(self) -> str:
        return QuestionType(self.qtype).label

    @property
    def status_label(self) -> str:
        return CellStatus(self.status).label

    @property
    def least(self) -> int:
        return min(self.available.values()) if self.available else 0

    @property
    def missing(self) -> int:
        return max(0, self.need - self.least)


@dataclass
class RuleReport:
    rule: PaperRule
    cells: list

    @property
    def question_count(self) -> int:
        return sum(c.need for c in self.cells)

    @property
    def short(self) -> list:
        return [c for c in self.cells if c.status == CellStatus.SHORT]

    @property
    def barely(self) -> list:
        return [c for c in self.cells if c.status == CellStatus.BARELY]

    @property
    def status(self) -> str:
        return CellStatus.SHORT if self.short else CellStatus.BARELY if self.barely else CellStatus.OK

    @property
    def status_label(self) -> str:
        return CellStatus(self.status).label


def cell_status(need: int, available: int) -> str:
    if available < need:
        return CellStatus.SHORT
    if available < need * BARELY_FACTOR:
        return CellStatus.BARELY
    return CellStatus.OK


def rule_report(rule: PaperRule, counts=None) -> RuleReport:
    """Whether the bank's enabled questions satisfy each cell of the rule, per personnel type
    the rule serves: short (an error: no paper can be drawn) or barely (a warning)."""
    counts = counts if counts is not None else enabled_counts()
    cells = []
    for cell in rule.cells.select_related("area").order_by("area__sort_order", "area_id", "qtype"):
        available = {p: counts.get((cell.area_id, cell.qtype, p, rule.exam_type), 0) for p in rule.personnel_types}
        least = min(available.values())
        cells.append(CellReport(area_id=cell.area_id, area_name=cell.area.name, qtype=cell.qtype, need=cell.count,
                                available=available, status=cell_status(cell.count, least)))
    order = {q: i for i, q in enumerate(QuestionType.values)}
    cells.sort(key=lambda c: (order[c.qtype], c.area_id))
    return RuleReport(rule=rule, cells=cells)


def rule_list(*, fetched_by):
    return PaperRule.objects.visible_to(fetched_by).prefetch_related("cells").order_by(
        "-is_active", "exam_type", "personnel_types", "id")


def rule_get(*, pk: int, fetched_by) -> PaperRule:
    return get_visible_or_404(PaperRule, fetched_by, pk=pk)


def plan_rule_warnings(plan: ExamPlan, counts=None) -> list[str]:
    """For an approved plan: the personnel types among its registrations (all three before any
    is imported) whose rule is missing or that the bank cannot satisfy (docs/decisions.md#paper-rules: shown on
    every approved plan that will use it, long before the exam)."""
    ptypes = sorted(set(Registration.objects.filter(plan=plan).values_list("personnel_type", flat=True))) or ["A", "B",
                                                                                                               "C"]
    targets = {t.personnel_type: t.rule for t in
               RuleTarget.objects.filter(exam_type=plan.exam_type, personnel_type__in=ptypes).select_related("rule")}
    counts = counts if counts is not None else enabled_counts()
    warnings, reported = [], {}
    for ptype in ptypes:
        rule = targets.get(ptype)
        if rule is None:
            warnings.append(f"{ptype} 类：{plan.get_exam_type_display()}尚未配置组卷规则，无法生成试卷")
            continue
        report = reported.get(rule.pk) or rule_report(rule, counts)
        reported[rule.pk] = report
        short = [c for c in report.short if c.available.get(ptype, 0) < c.need]
        if short:
            cells = "、".join(f"{c.area_name}{c.qtype_label}（需 {c.need}，有 {c.available[ptype]}）" for c in short)
            warnings.append(f"{ptype} 类：组卷规则“{rule.name}”题库题量不足：{cells}")
    return warnings


def plan_paper_rows(*, plan: ExamPlan, fetched_by):
    """A plan's registrations with their paper (or none yet), for central's 试卷 list."""
    return (Registration.objects.visible_to(fetched_by).filter(plan=plan).select_related("person", "paper")
            .order_by("candidate_number"))


def paper_progress(plan: ExamPlan) -> tuple[int, int]:
    """(papers generated, registrations) of a plan: 试卷已生成 N / M."""
    return Paper.objects.filter(plan=plan).count(), Registration.objects.filter(plan=plan).count()


def plans_missing_papers(*, now=None) -> list[ExamPlan]:
    """Approved plans whose roster has frozen (48 hours before the start) and whose exam has
    not ended, with fewer papers than registrations, or (before the start) a paper whose
    personnel type no longer matches its corrected registration."""
    from .services import due_window

    now = now or timezone.now()
    papers = (Paper.objects.filter(plan=OuterRef("pk")).order_by().values("plan")
              .annotate(n=Count("pk")).values("n"))
    registrations = (Registration.objects.filter(plan=OuterRef("pk")).order_by().values("plan")
                     .annotate(n=Count("pk")).values("n"))
    qs = (ExamPlan.objects.filter(**due_window(now))
          .annotate(n_papers=Coalesce(Subquery(papers), 0), n_regs=Coalesce(Subquery(registrations), 0)))
    missing = [p for p in qs if p.n_papers < p.n_regs]
    stale = (ExamPlan.objects.filter(**due_window(now), starts_at__gt=now)
             .filter(pk__in=Paper.objects.exclude(personnel_type=F("registration__personnel_type")).values("plan_id"))
             .exclude(pk__in=[p.pk for p in missing]))
    return missing + list(stale)


def rule_preview_paper(rule: PaperRule, *, personnel_type: str, seed: int) -> Paper:
    """A paper drawn by the rule from today's bank, in memory only (never saved): what a
    candidate of that type would get. Raises drawing.DrawShort when the bank cannot satisfy it."""
    from .services import rule_blueprint, rule_pools

    blueprint = rule_blueprint(rule)
    pools = rule_pools(blueprint=blueprint, exam_type=rule.exam_type, personnel_type=personnel_type)
    drawing.check_draw(blueprint, pools)
    sections, items = drawing.draw(seed, blueprint, pools)
    return Paper(seed=seed, personnel_type=personnel_type, sections=sections, items=items,
                 total_points=rule.total_points, pass_mark=rule.pass_mark)


def paper_view(paper: Paper) -> dict:
    """The candidate payload with the server-side key beside each question (central's preview
    only; a candidate's page renders candidate_payload alone)."""
    versions = paper_versions(paper)
    payload = candidate_payload(paper, versions)
    key = answer_key(paper, versions)
    for question, entry in zip(payload["questions"], key, strict=True):
        question["key"] = entry
    # 演示题库 on every page that shows demo questions
    payload["demo"] = QuestionVersion.objects.filter(pk__in=list(versions), question__is_demo=True).exists()
    return payload


def paper_from_seed(*, draw, seed: int) -> Paper:
    """The paper a seed draws from a plan's frozen draw, in memory only (never saved): a printed
    version of the answer-card mode (its booklet, its key, the shape its answer strings have)."""
    sections, items = drawing.draw(seed, draw.blueprint, draw.pools)
    return Paper(plan_id=draw.plan_id, draw=draw, personnel_type=draw.personnel_type, seed=seed, sections=sections,
                 items=items, total_points=Decimal(draw.blueprint["total_points"]),
                 pass_mark=Decimal(draw.blueprint["pass_mark"]))


def plan_draws(plan) -> dict:
    """{personnel type: PaperDraw} of the plan's frozen draws (one query)."""
    from .models import PaperDraw

    return {d.personnel_type: d for d in PaperDraw.objects.filter(plan=plan)}


def plan_papers(plan) -> tuple[dict[int, Paper], dict[int, QuestionVersion]]:
    """({registration_id: paper}, {version_id: version}) of a whole plan in two queries (the
    violation check reads every paper of the plan with the texts)."""
    papers = {p.registration_id: p for p in Paper.objects.filter(plan=plan)}
    ids = {item[0] for paper in papers.values() for item in paper.items}
    versions = {v.pk: v for v in QuestionVersion.objects.filter(pk__in=ids).only(
        "id", "qtype", "stem", "options", "answer", "explanation")}
    return papers, versions
