"""The rules of one question, written once: the edit form, the service and the bank import all
clean through these functions (STYLE.md 7). Each cleaner takes the raw value and returns the
clean one or raises `FieldInvalid` with a Chinese message naming what is wrong."""

import re
from dataclasses import dataclass, field

from plans.choices import ExamType

from .choices import (
    DIFFICULTY_MAX,
    DIFFICULTY_MIN,
    JUDGE_OPTIONS,
    LETTERS,
    MAX_OPTIONS,
    MIN_OPTIONS,
    QuestionType,
)

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
STEM_MAX = 2000
OPTION_MAX = 500
EXPLANATION_MAX = 2000
PERSONNEL_TYPES = "ABC"

# What a spreadsheet or a form may say for 判断's answer, beside the letters A / B.
JUDGE_WORDS = {"正确": "A", "对": "A", "√": "A", "是": "A", "T": "A", "TRUE": "A",
               "错误": "B", "错": "B", "×": "B", "否": "B", "F": "B", "FALSE": "B"}
QTYPE_WORDS = {**{c.value: c.value for c in QuestionType}, **{c.label: c.value for c in QuestionType},
               "单选": QuestionType.SINGLE, "多选": QuestionType.MULTIPLE, "判断": QuestionType.JUDGE}
EXAM_TYPE_WORDS = {**{c.value: c.value for c in ExamType}, **{c.label: c.value for c in ExamType},
                   "继续教育": ExamType.CONTINUING_ONLINE}


class FieldInvalid(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def clean_code(value) -> str:
    code = str(value or "").strip()
    if not code:
        raise FieldInvalid("code", "题目编号不能为空")
    if not CODE_RE.match(code):
        raise FieldInvalid("code", "题目编号只能由字母、数字、“-”和“_”组成，最长 32 位")
    return code


def clean_qtype(value) -> str:
    word = str(value or "").strip()
    qtype = QTYPE_WORDS.get(word) or QTYPE_WORDS.get(word.lower())
    if not qtype:
        raise FieldInvalid("qtype", f"题型“{word}”无效，应为 单选题、多选题 或 判断题")
    return str(qtype)


def clean_stem(value) -> str:
    stem = str(value or "").strip()
    if not stem:
        raise FieldInvalid("stem", "题干不能为空")
    if len(stem) > STEM_MAX:
        raise FieldInvalid("stem", f"题干不能超过 {STEM_MAX} 字")
    return stem


def clean_options(qtype: str, values) -> list[str]:
    """2–8 non-empty, distinct options; 判断 always has 正确 / 错误 (anything given is ignored
    only when it says the same)."""
    options = [str(v).strip() for v in (values or []) if v is not None and str(v).strip()]
    if qtype == QuestionType.JUDGE:
        if options and options != JUDGE_OPTIONS:
            raise FieldInvalid("options", "判断题的选项固定为“正确”“错误”，请不要填写其他选项")
        return list(JUDGE_OPTIONS)
    if len(options) < MIN_OPTIONS:
        raise FieldInvalid("options", f"选择题至少需要 {MIN_OPTIONS} 个选项")
    if len(options) > MAX_OPTIONS:
        raise FieldInvalid("options", f"选项最多 {MAX_OPTIONS} 个")
    for i, option in enumerate(options):
        if len(option) > OPTION_MAX:
            raise FieldInvalid("options", f"选项 {LETTERS[i]} 超过 {OPTION_MAX} 字")
    if len(set(options)) != len(options):
        raise FieldInvalid("options", "选项内容不能重复")
    return options


def clean_answer(qtype: str, value, option_count: int) -> str:
    """Canonical letters, sorted: "B", "ACD". 单选 exactly one, 多选 at least two, 判断 A/B
    (正确/错误 and the usual marks accepted)."""
    raw = str(value or "").strip().upper()
    if not raw:
        raise FieldInvalid("answer", "答案不能为空")
    if qtype == QuestionType.JUDGE and raw in JUDGE_WORDS:
        return JUDGE_WORDS[raw]
    letters = re.sub(r"[\s,，、;；/]+", "", raw)
    valid = LETTERS[:option_count]
    bad = sorted({ch for ch in letters if ch not in valid})
    if bad:
        raise FieldInvalid("answer", f"答案“{value}”含有不存在的选项 {''.join(bad)}（本题选项为 {valid[0]}–{valid[-1]}）")
    if len(set(letters)) != len(letters):
        raise FieldInvalid("answer", f"答案“{value}”有重复的选项")
    letters = "".join(sorted(letters))
    if qtype == QuestionType.SINGLE and len(letters) != 1:
        raise FieldInvalid("answer", "单选题的答案必须是一个选项")
    if qtype == QuestionType.MULTIPLE and len(letters) < 2:
        raise FieldInvalid("answer", "多选题的答案至少包含两个选项")
    if qtype == QuestionType.JUDGE and len(letters) != 1:
        raise FieldInvalid("answer", "判断题的答案应为“正确”或“错误”")
    return letters


def clean_explanation(value) -> str:
    text = str(value or "").strip()
    if len(text) > EXPLANATION_MAX:
        raise FieldInvalid("explanation", f"解析不能超过 {EXPLANATION_MAX} 字")
    return text


def clean_personnel_types(value) -> str:
    """Any combination of A/B/C, written "ABC", "A,B", "A、C" …; stored sorted ("AC")."""
    raw = re.sub(r"[\s,，、;；/]+", "", str(value or "").upper())
    if not raw:
        raise FieldInvalid("personnel_types", "适用人员类型不能为空（A、B、C 的任意组合）")
    bad = sorted({ch for ch in raw if ch not in PERSONNEL_TYPES})
    if bad:
        raise FieldInvalid("personnel_types", f"适用人员类型“{value}”无效，只能是 A、B、C 的组合")
    return "".join(sorted(set(raw)))


def clean_exam_types(value) -> list[str]:
    """A list (or a text separated by 、,;) of 考核类型 values or labels, in ExamType order."""
    parts = value if isinstance(value, list | tuple) else re.split(r"[,，、;；\n]+", str(value or ""))
    found = set()
    for part in parts:
        word = str(part).strip()
        if not word:
            continue
        exam_type = EXAM_TYPE_WORDS.get(word) or EXAM_TYPE_WORDS.get(word.replace("（", "(").replace("）", ")"))
        if not exam_type:
            raise FieldInvalid("exam_types", f"适用考核类型“{word}”无效")
        found.add(str(exam_type))
    if not found:
        raise FieldInvalid("exam_types", "适用考核类型不能为空")
    return [t.value for t in ExamType if t.value in found]


def clean_difficulty(value) -> int:
    try:
        number = int(str(value).strip().split(".")[0]) if str(value).strip() not in ("", "None") else None
    except ValueError:
        number = None
    if number is None or not DIFFICULTY_MIN <= number <= DIFFICULTY_MAX or (
            isinstance(value, float) and value != int(value)):
        raise FieldInvalid("difficulty", f"难度应为 {DIFFICULTY_MIN}–{DIFFICULTY_MAX} 的整数")
    return number


@dataclass
class QuestionInput:
    """A question as central writes it (form, import row, demo file), already cleaned."""

    code: str
    qtype: str
    stem: str
    options: list[str]
    answer: str
    explanation: str
    area_name: str
    personnel_types: str
    exam_types: list[str]
    difficulty: int = 3
    is_enabled: bool = True
    errors: list = field(default_factory=list)

    def content(self) -> dict:
        return {"qtype": self.qtype, "stem": self.stem, "options": list(self.options), "answer": self.answer,
                "explanation": self.explanation}


def clean_question(raw: dict) -> QuestionInput:
    """Clean every field of one question; raises FieldInvalid for the first bad one, in the order
    a reader checks them (a bad 题型 makes the answer meaningless)."""
    code = clean_code(raw.get("code"))
    qtype = clean_qtype(raw.get("qtype"))
    stem = clean_stem(raw.get("stem"))
    options = clean_options(qtype, raw.get("options"))
    answer = clean_answer(qtype, raw.get("answer"), len(options))
    area = str(raw.get("area") or "").strip()
    if not area:
        raise FieldInvalid("area", "知识领域不能为空")
    return QuestionInput(
        code=code, qtype=qtype, stem=stem, options=options, answer=answer,
        explanation=clean_explanation(raw.get("explanation")), area_name=area,
        personnel_types=clean_personnel_types(raw.get("personnel_types")),
        exam_types=clean_exam_types(raw.get("exam_types")),
        difficulty=clean_difficulty(raw.get("difficulty", 3)),
        is_enabled=bool(raw.get("is_enabled", True)),
    )
