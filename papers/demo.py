"""Default paper rules for the demo bank (演示规则), and the demo plans' papers.

继续教育(线上): one rule shared by A, B and C (SPEC.md §2: one paper for all three, 90 minutes);
新取证(线上) and 新取证(线下): one rule per personnel type, each weighted towards what that role
answers for (A the laws and duties, B the site and its operations, C the hazardous work).
Every rule totals 100 points (单选 1, 多选 2, 判断 1), pass mark 60, and each cell asks for at
most half of the bank's enabled questions for it, so no cell is short or barely enough.

Demo papers: the demo imports candidates only into plans whose roster is still open, so no
populated demo plan is past its freeze; to make papers visible at once (预览 a candidate's
paper, 试卷已生成 N / M) the demo draws them now for every approved plan with candidates.
Later changes are covered as in production (missing ones are drawn at the freeze)."""

from accounts.models import User
from core.errors import ApplicationError
from core.roles import Role
from plans.choices import AuditStatus, ExamType
from plans.models import ExamPlan
from questions.choices import QUESTION_TYPE_ORDER, QuestionType
from questions.models import KnowledgeArea
from questions.selectors import enabled_counts

from .models import PaperRule
from .services import RuleInput, papers_generate, rule_create

TOTAL = 100
POINTS = {QuestionType.SINGLE: 1, QuestionType.MULTIPLE: 2, QuestionType.JUDGE: 1}
PASS_MARK = 60

# (name, exam type, personnel types, the areas that get one more 单选题)
DEMO_RULES = [
    ("继续教育（A/B/C 通用）", ExamType.CONTINUING_ONLINE, "ABC",
     ["安全生产法律法规", "通信建设工程安全生产管理规定", "施工现场管理", "应急救援与急救"]),
    ("新取证（线上）A 类 企业主要负责人", ExamType.NEW_ONLINE, "A",
     ["安全生产法律法规", "建设工程安全生产管理条例", "通信建设工程安全生产管理规定", "安全生产管理职责"]),
    ("新取证（线上）B 类 项目负责人", ExamType.NEW_ONLINE, "B",
     ["施工现场管理", "通信建设工程安全生产管理规定", "高处作业", "管道与人（手）井作业"]),
    ("新取证（线上）C 类 专职安全生产管理人员", ExamType.NEW_ONLINE, "C",
     ["有限空间作业", "用电安全", "动火作业与消防", "铁塔与杆路作业"]),
    ("新取证（线下）A 类 企业主要负责人", ExamType.NEW_OFFLINE, "A",
     ["安全生产法律法规", "建设工程安全生产管理条例", "通信建设工程安全生产管理规定", "安全生产管理职责"]),
    ("新取证（线下）B 类 项目负责人", ExamType.NEW_OFFLINE, "B",
     ["施工现场管理", "通信建设工程安全生产管理规定", "高处作业", "管道与人（手）井作业"]),
    ("新取证（线下）C 类 专职安全生产管理人员", ExamType.NEW_OFFLINE, "C",
     ["有限空间作业", "用电安全", "动火作业与消防", "铁塔与杆路作业"]),
]


def blueprint_cells(*, exam_type: str, personnel_types: str, focus: list[str], counts=None) -> list:
    """Cells totalling TOTAL points, none asking for more than half of what the bank holds for
    every personnel type of the rule: 3 单选 per area (4 in the focus areas), 2 多选, then 判断
    one per area in turn until the points reach TOTAL."""
    counts = counts if counts is not None else enabled_counts()
    areas = list(KnowledgeArea.objects.filter(is_active=True).order_by("sort_order", "pk"))

    def half(area, qtype):
        return min(counts.get((area.pk, qtype, p, exam_type), 0) for p in personnel_types) // 2

    cells = {}
    for area in areas:
        cells[(area.pk, QuestionType.SINGLE)] = min(4 if area.name in focus else 3, half(area, QuestionType.SINGLE))
        cells[(area.pk, QuestionType.MULTIPLE)] = min(2, half(area, QuestionType.MULTIPLE))
        cells[(area.pk, QuestionType.JUDGE)] = 0
    remaining = TOTAL - sum(POINTS[q] * n for (_a, q), n in cells.items())
    while remaining > 0:
        progressed = False
        for area in areas:
            key = (area.pk, QuestionType.JUDGE)
            if remaining > 0 and cells[key] < half(area, QuestionType.JUDGE):
                cells[key] += 1
                remaining -= POINTS[QuestionType.JUDGE]
                progressed = True
        if not progressed:
            break
    order = {q: i for i, q in enumerate(QUESTION_TYPE_ORDER)}
    return sorted([(a, str(q), n) for (a, q), n in cells.items() if n], key=lambda c: (order[c[1]], c[0]))


def load(out) -> list[str]:
    central = User.objects.filter(role=Role.CENTRAL, is_active=True).order_by("pk").first()
    if central is None or not KnowledgeArea.objects.exists():
        return []
    counts = enabled_counts()
    created = 0
    for name, exam_type, ptypes, focus in DEMO_RULES:
        if PaperRule.objects.filter(name=name).exists():
            continue
        cells = blueprint_cells(exam_type=exam_type, personnel_types=ptypes, focus=focus, counts=counts)
        rule_create(data=RuleInput(name=name, exam_type=exam_type, personnel_types=ptypes,
                                   points={q.value: p for q, p in POINTS.items()}, pass_mark=PASS_MARK, cells=cells),
                    acting_user=central, is_demo=True)
        created += 1
    papers = 0
    for plan in ExamPlan.objects.filter(audit_status=AuditStatus.APPROVED, registrations__isnull=False).distinct():
        try:
            papers += papers_generate(plan=plan, acting_user=central).created
        except ApplicationError:
            continue
    return [f"演示组卷规则：{len(DEMO_RULES)} 套（本次新建 {created}）；演示试卷本次生成 {papers} 份"]
