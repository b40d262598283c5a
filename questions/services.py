"""Writes of the question bank (题库, SPEC.md §5; docs/decisions.md#bank-central). Central only; each function runs
in one transaction and writes its audit row (before/after).

Rules:
* a question's content (type, stem, options, answer, explanation) is kept in immutable
  versions; any change of content makes a new version and the question points to it, so a
  paper drawn with an earlier version keeps reading that one (decisions.md: question versions);
* what only steers future draws (knowledge area, personnel types, exam types, difficulty,
  enabled) is changed on the question itself, without a version;
* retiring is disabling; a question whose versions a paper ever drew can never be deleted;
* `question_upsert` is idempotent by 题目编号 (the import and the demo load call it): an
  unchanged question is reported as present, a changed one gets a new version and says so."""

from dataclasses import dataclass

from django.db import transaction

from audit.actions import Action
from audit.services import audit_record, model_snapshot
from core.errors import ApplicationError
from core.roles import Role
from core.scoping import require_role

from .models import KnowledgeArea, Question, QuestionVersion
from .validation import QuestionInput

QUESTION_FIELDS = ["code", "qtype", "area", "personnel_types", "exam_types", "difficulty", "is_enabled", "is_demo",
                   "current_version"]
USED_MESSAGE = "该试题已被试卷使用，不能删除，只能停用"


# The bank is central's (docs/decisions.md#bank-central): regions and candidates never write it.
BANK_CENTRAL_ONLY = "题库仅由部中心维护"


# ---------------------------------------------------------------- knowledge areas

def area_create(*, name: str, sort_order: int = 0, acting_user) -> KnowledgeArea:
    require_role(acting_user, Role.CENTRAL, message=BANK_CENTRAL_ONLY)
    name = (name or "").strip()
    if not name:
        raise ApplicationError("知识领域名称不能为空", field="name")
    with transaction.atomic():
        if KnowledgeArea.objects.filter(name=name).exists():
            raise ApplicationError(f"知识领域“{name}”已存在", field="name")
        area = KnowledgeArea.objects.create(name=name[:50], sort_order=sort_order)
        audit_record(actor=acting_user, action=Action.KNOWLEDGE_AREA_CREATE, obj=area, after=model_snapshot(area),
                     message=f"添加知识领域：{area.name}")
    return area


def area_update(*, area: KnowledgeArea, name: str, sort_order: int, is_active: bool, acting_user) -> KnowledgeArea:
    require_role(acting_user, Role.CENTRAL, message=BANK_CENTRAL_ONLY)
    name = (name or "").strip()
    if not name:
        raise ApplicationError("知识领域名称不能为空", field="name")
    with transaction.atomic():
        area = KnowledgeArea.objects.select_for_update().get(pk=area.pk)
        if KnowledgeArea.objects.filter(name=name).exclude(pk=area.pk).exists():
            raise ApplicationError(f"知识领域“{name}”已存在", field="name")
        before = model_snapshot(area)
        area.name, area.sort_order, area.is_active = name[:50], sort_order, is_active
        area.save()
        audit_record(actor=acting_user, action=Action.KNOWLEDGE_AREA_UPDATE, obj=area, before=before,
                     after=model_snapshot(area), message=f"修改知识领域：{area.name}")
    return area


def area_for_name(name: str, *, acting_user, create: bool = False) -> KnowledgeArea:
    area = KnowledgeArea.objects.filter(name=name).first()
    if area is None:
        if not create:
            raise ApplicationError(f"知识领域“{name}”不存在，请先在知识领域中添加", field="area")
        area = area_create(name=name, sort_order=KnowledgeArea.objects.count() + 1, acting_user=acting_user)
    return area


# ---------------------------------------------------------------- questions

@dataclass
class UpsertOutcome:
    question: Question
    status: str  # "created" | "unchanged" | "new_version" | "updated" (metadata only)
    version_number: int

    @property
    def message(self) -> str:
        return {
            "created": "新增",
            "unchanged": "已存在（内容未变化）",
            "new_version": f"内容有变化，已生成新版本 v{self.version_number}",
            "updated": "已更新属性（题目内容未变化）",
        }[self.status]


def _new_version(question: Question, data: QuestionInput, acting_user) -> QuestionVersion:
    number = (question.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = QuestionVersion(question=question, number=number, created_by=acting_user, **data.content())
    version.full_clean(exclude=["question"])
    version.save()
    return version


def _apply_metadata(question: Question, data: QuestionInput, area: KnowledgeArea) -> None:
    question.area = area
    question.personnel_types = data.personnel_types
    question.exam_types = ",".join(data.exam_types)
    question.difficulty = data.difficulty


def question_create(*, data: QuestionInput, acting_user, is_demo: bool = False, create_area: bool = False) -> Question:
    """添加试题: a new 题目编号 with its first version."""
    require_role(acting_user, Role.CENTRAL, message=BANK_CENTRAL_ONLY)
    with transaction.atomic():
        if Question.objects.filter(code=data.code).exists():
            raise ApplicationError(f"题目编号 {data.code} 已存在", field="code")
        area = area_for_name(data.area_name, acting_user=acting_user, create=create_area)
        question = Question(code=data.code, qtype=data.qtype, is_enabled=data.is_enabled, is_demo=is_demo,
                            created_by=acting_user)
        _apply_metadata(question, data, area)
        question.save()
        version = _new_version(question, data, acting_user)
        question.current_version = version
        question.save(update_fields=["current_version"])
        audit_record(actor=acting_user, action=Action.QUESTION_CREATE, obj=question,
                     after={**model_snapshot(question, QUESTION_FIELDS), "content": version.content()},
                     message=f"添加试题 {question.code}（v1）")
    return question


def question_update(*, question: Question, data: QuestionInput, acting_user, is_demo: bool | None = None,
                    create_area: bool = False) -> UpsertOutcome:
    """修改试题: a change of content is a new version (the previous one stays for every paper
    that drew it); metadata is changed in place. Unchanged input changes nothing and writes no
    audit row. The 题目编号 itself never changes."""
    require_role(acting_user, Role.CENTRAL, message=BANK_CENTRAL_ONLY)
    with transaction.atomic():
        question = Question.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=question.pk)
        if data.code != question.code:
            raise ApplicationError("题目编号不能修改", field="code")
        area = area_for_name(data.area_name, acting_user=acting_user, create=create_area)
        before = {**model_snapshot(question, QUESTION_FIELDS), "content": question.current_version.content()}
        content_changed = question.current_version.content() != data.content()
        _apply_metadata(question, data, area)
        if is_demo is not None:
            question.is_demo = is_demo
        if content_changed:
            version = _new_version(question, data, acting_user)
            question.current_version = version
            question.qtype = version.qtype
        after = {**model_snapshot(question, QUESTION_FIELDS), "content": question.current_version.content()}
        number = question.current_version.number
        if before == after:
            return UpsertOutcome(question, "unchanged", number)
        question.save()
        audit_record(actor=acting_user, action=Action.QUESTION_NEW_VERSION if content_changed else Action.QUESTION_UPDATE,
                     obj=question, before=before, after=after,
                     message=f"修改试题 {question.code}" + (f"，生成新版本 v{number}" if content_changed else "（属性）"))
    return UpsertOutcome(question, "new_version" if content_changed else "updated", number)


def question_upsert(*, data: QuestionInput, acting_user, is_demo: bool = False,
                    create_area: bool = False) -> UpsertOutcome:
    """Idempotent by 题目编号: the import and the demo load call this. `is_enabled` of an existing
    question is left as central set it (a re-import does not re-enable a retired question)."""
    existing = Question.objects.filter(code=data.code).first()
    if existing is None:
        question = question_create(data=data, acting_user=acting_user, is_demo=is_demo, create_area=create_area)
        return UpsertOutcome(question, "created", 1)
    return question_update(question=existing, data=data, acting_user=acting_user, create_area=create_area)


def question_set_enabled(*, question: Question, enabled: bool, acting_user, reason: str = "") -> Question:
    """停用 / 启用: a disabled question is drawn into no new paper; papers that hold it keep it."""
    require_role(acting_user, Role.CENTRAL, message=BANK_CENTRAL_ONLY)
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        if question.is_enabled == enabled:
            return question
        question.is_enabled = enabled
        question.save(update_fields=["is_enabled", "updated_at"])
        audit_record(actor=acting_user, action=Action.QUESTION_ENABLE if enabled else Action.QUESTION_DISABLE, obj=question,
                     before={"is_enabled": not enabled}, after={"is_enabled": enabled}, reason=reason.strip(),
                     message=f"{'启用' if enabled else '停用'}试题 {question.code}")
    return question


def question_delete(*, question: Question, acting_user) -> None:
    """删除 a question no paper ever drew (a typo caught at once); a used one is refused: it can
    only be disabled (docs/decisions.md#bank-central). The content stays in the audit row."""
    require_role(acting_user, Role.CENTRAL, message=BANK_CENTRAL_ONLY)
    with transaction.atomic():
        question = Question.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=question.pk)
        if question.versions.filter(used_at__isnull=False).exists():
            raise ApplicationError(USED_MESSAGE)
        before = {**model_snapshot(question, QUESTION_FIELDS), "content": question.current_version.content(),
                  "versions": question.versions.count()}
        audit_record(actor=acting_user, action=Action.QUESTION_DELETE, obj=question, before=before,
                     message=f"删除试题 {question.code}（未被任何试卷使用）")
        Question.objects.filter(pk=question.pk).update(current_version=None)
        question.versions.all().delete()
        question.delete()


def versions_mark_used(version_ids, *, now) -> int:
    """Called by paper generation: the versions a paper drew are used from now on."""
    ids = list(version_ids)
    if not ids:
        return 0
    return QuestionVersion.objects.filter(pk__in=ids, used_at__isnull=True).update(used_at=now)
