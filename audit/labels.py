"""Chinese names for what the audit log stores as codes (role, object type), so the viewer reads
as the rest of the interface; an unknown code is shown as it is. The actions' labels are on the
Action enumeration (audit/actions.py)."""

import json

from core.roles import Role

OBJECT_LABELS = {
    "accounts.User": "账号", "plans.ExamPlan": "考核计划", "candidates.Registration": "考生报名",
    "candidates.ImportRun": "导入记录", "people.Person": "考生", "blacklist.BlacklistEntry": "黑名单记录",
    "blacklist.ViolationCategory": "违规类型", "plans.ExamTypeSetting": "考试时长设置", "jobs.Job": "后台任务",
    "questions.Question": "试题", "questions.KnowledgeArea": "知识领域", "papers.PaperRule": "组卷规则",
    "papers.Paper": "试卷", "exams.Attempt": "考试记录", "exams.EntryRule": "入场规则",
    "answercards.CardImportRun": "答题卡导入记录", "answercards.AnswerCard": "答题卡",
    "proctoring.Snapshot": "考试抓拍照片",
}


def role_label(code: str) -> str:
    try:
        return Role(code).label
    except ValueError:
        return code or "—"


def object_label(code: str) -> str:
    return OBJECT_LABELS.get(code, code)


def readable(value) -> str:
    """before/after as indented JSON with Chinese kept as it is (not a Python repr)."""
    if value in (None, "", {}):
        return "—"
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)
