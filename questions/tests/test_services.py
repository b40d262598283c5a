import pytest

from audit.actions import Action
from audit.models import AuditLog
from core.errors import ApplicationError, PermissionDenied
from questions.choices import QuestionType
from questions.models import KnowledgeArea, Question, QuestionVersion
from questions.services import (
    USED_MESSAGE,
    area_create,
    question_delete,
    question_set_enabled,
    question_update,
    question_upsert,
    versions_mark_used,
)
from questions.tests.factories import make_question, question_raw
from questions.validation import FieldInvalid, clean_question

pytestmark = pytest.mark.django_db


def test_create_makes_version_one_and_audits(world):
    q = make_question(world.central, "TX-0001")
    assert q.current_version.number == 1 and q.versions.count() == 1
    assert q.current_version.answer == "A" and q.qtype == QuestionType.SINGLE
    assert AuditLog.objects.filter(action=Action.QUESTION_CREATE, object_id=str(q.pk)).exists()


def test_regions_and_candidates_cannot_write_the_bank(world):
    for user in (world.admin_a, world.candidate):
        with pytest.raises(PermissionDenied):
            make_question(user, "TX-0002")
        with pytest.raises(PermissionDenied):
            area_create(name="电气安全", acting_user=user)
    assert not Question.objects.exists()


def test_regions_and_candidates_see_no_question(world):
    make_question(world.central, "TX-0003")
    for user in (world.admin_a, world.admin_b, world.candidate):
        assert not Question.objects.visible_to(user).exists()
        assert not QuestionVersion.objects.visible_to(user).exists()
        assert not KnowledgeArea.objects.visible_to(user).exists()
    assert Question.objects.visible_to(world.central).count() == 1


def test_edit_after_use_makes_a_new_version_and_keeps_the_old(world):
    q = make_question(world.central, "TX-0004")
    v1 = q.current_version
    versions_mark_used([v1.pk], now=v1.created_at)
    raw = question_raw("TX-0004", stem="在人孔内作业前应先（ ）。", answer="A")
    outcome = question_update(question=q, data=clean_question(raw), acting_user=world.central)
    q.refresh_from_db()
    assert outcome.status == "new_version" and q.current_version.number == 2
    v1.refresh_from_db()
    assert v1.stem.startswith("在通信管道人孔内作业前")  # the paper's version reads as before
    assert AuditLog.objects.filter(action=Action.QUESTION_NEW_VERSION, object_id=str(q.pk)).exists()


def test_versions_are_immutable(world):
    v = make_question(world.central, "TX-0005").current_version
    v.stem = "改写"
    with pytest.raises(PermissionError):
        v.save()


def test_metadata_change_is_no_new_version(world):
    q = make_question(world.central, "TX-0006")
    outcome = question_update(question=q, data=clean_question(question_raw("TX-0006", difficulty=5,
                                                                             personnel_types="B")),
                              acting_user=world.central)
    q.refresh_from_db()
    assert outcome.status == "updated" and q.current_version.number == 1
    assert q.difficulty == 5 and q.personnel_types == "B"


def test_upsert_is_idempotent_by_code(world):
    raw = question_raw("TX-0007")
    assert question_upsert(data=clean_question(raw), acting_user=world.central, create_area=True).status == "created"
    assert question_upsert(data=clean_question(raw), acting_user=world.central).status == "unchanged"
    raw["answer"] = "B"
    outcome = question_upsert(data=clean_question(raw), acting_user=world.central)
    assert outcome.status == "new_version" and outcome.version_number == 2
    assert "新版本 v2" in outcome.message
    assert Question.objects.count() == 1 and QuestionVersion.objects.count() == 2


def test_used_question_cannot_be_deleted_only_disabled(world):
    q = make_question(world.central, "TX-0008")
    versions_mark_used([q.current_version_id], now=q.created_at)
    with pytest.raises(ApplicationError, match=USED_MESSAGE):
        question_delete(question=q, acting_user=world.central)
    assert Question.objects.filter(pk=q.pk).exists()
    question_set_enabled(question=q, enabled=False, acting_user=world.central, reason="表述过时")
    q.refresh_from_db()
    assert not q.is_enabled
    assert AuditLog.objects.filter(action=Action.QUESTION_DISABLE, object_id=str(q.pk)).exists()


def test_unused_question_can_be_deleted_with_audit(world):
    q = make_question(world.central, "TX-0009")
    question_delete(question=q, acting_user=world.central)
    assert not Question.objects.exists() and not QuestionVersion.objects.exists()
    row = AuditLog.objects.get(action=Action.QUESTION_DELETE)
    assert row.before["content"]["answer"] == "A"


@pytest.mark.parametrize(("over", "field", "text"), [
    ({"qtype": "填空题"}, "qtype", "题型"),
    ({"stem": "  "}, "stem", "题干不能为空"),
    ({"options": ["甲"]}, "options", "至少需要 2 个选项"),
    ({"options": list("ABCDEFGHI")}, "options", "最多 8 个"),
    ({"options": ["甲", "甲", "乙"]}, "options", "不能重复"),
    ({"answer": "E"}, "answer", "不存在的选项 E"),
    ({"answer": "AB"}, "answer", "单选题的答案必须是一个选项"),
    ({"qtype": "多选题", "answer": "B"}, "answer", "至少包含两个选项"),
    ({"personnel_types": "AD"}, "personnel_types", "A、B、C"),
    ({"exam_types": ["期末考试"]}, "exam_types", "期末考试"),
    ({"difficulty": 6}, "difficulty", "1–5"),
    ({"code": "题 01"}, "code", "题目编号"),
])
def test_bad_question_is_refused_with_a_chinese_reason(over, field, text):
    raw = question_raw("TX-0100", **{k: v for k, v in over.items() if k != "code"})
    raw.update({k: v for k, v in over.items() if k == "code"})
    with pytest.raises(FieldInvalid) as info:
        clean_question(raw)
    assert info.value.field == field and text in info.value.message


def test_spreadsheet_spellings_are_accepted():
    q = clean_question(question_raw("TX-0101", qtype="多选", answer="a、c", personnel_types="C,A",
                                    exam_types="新取证(线上)、继续教育(线上)", difficulty="2"))
    assert (q.qtype, q.answer, q.personnel_types, q.difficulty) == ("multiple", "AC", "AC", 2)
    assert q.exam_types == ["continuing_online", "new_online"]
    judge = clean_question(question_raw("TX-0102", qtype="判断题", answer="×"))
    assert judge.answer == "B" and judge.options == ["正确", "错误"]
