"""The bank import's sheet (题库导入), declared over core.spreadsheets: the template, its
instruction sheet, the reader's header check and the error report all come from SHEET. Every
rule of a question is the one in questions.validation (the edit form's), called per column
here so each error names its column; options and the answer are checked together by a row
rule, because they depend on 题型."""

from dataclasses import dataclass, field

from core.spreadsheets.columns import Column, Dropdown, HelpTable, Sheet, ValidationContext, cell_text
from plans.choices import ExamType

from ..choices import LETTERS, MAX_OPTIONS, QuestionType
from ..models import KnowledgeArea, Question
from ..validation import (
    FieldInvalid,
    QuestionInput,
    clean_answer,
    clean_code,
    clean_difficulty,
    clean_exam_types,
    clean_explanation,
    clean_options,
    clean_personnel_types,
    clean_qtype,
    clean_stem,
)

OPTION_KEYS = [f"option_{letter.lower()}" for letter in LETTERS[:MAX_OPTIONS]]


@dataclass
class BankContext(ValidationContext):
    """Knowledge areas by name and the existing questions of the file's codes (one query)."""

    areas: dict = field(default_factory=dict)
    existing: dict = field(default_factory=dict)  # code -> Question (current_version loaded)

    @classmethod
    def for_rows(cls, raw_rows) -> "BankContext":
        ctx = cls(areas=dict(KnowledgeArea.objects.values_list("name", "pk")))
        ctx.prefetch({cell_text(r.get("code")) for r in raw_rows} - {""})
        return ctx

    def load(self, keys: set) -> None:
        for q in Question.objects.filter(code__in=keys).select_related("current_version", "area"):
            self.existing[q.code] = q


def _cleaner(fn):
    def clean(value, row):
        text = cell_text(value)
        try:
            return fn(text)
        except FieldInvalid as exc:
            row.error(exc.message)
            return None
    return clean


def _clean_area(value, row):
    name = cell_text(value)
    if not name:
        row.error("知识领域不能为空")
    elif name not in row.ctx.areas:
        row.error(f"知识领域“{name}”不存在，请从下拉列表选择，或先在“知识领域”中添加")
    return name


def _clean_option(value, row):
    return cell_text(value)


def question_row_rule(row) -> None:
    """Options and answer against 题型; the 题目编号 once per file; then the QuestionInput the
    service writes (row.cleaned["input"])."""
    cleaned = row.cleaned
    qtype = cleaned.get("qtype")
    code = cleaned.get("code")
    if code:
        first = row.ctx.first_row(code, row.number)
        if first is not None:
            row.error(f"与第 {first} 行的题目编号重复", key="code")
    if not qtype:
        return
    options = None
    try:
        options = clean_options(qtype, [cleaned.get(k) for k in OPTION_KEYS])
    except FieldInvalid as exc:
        row.error(exc.message, key="option_a")
    if options is not None:
        try:
            cleaned["answer"] = clean_answer(qtype, cleaned.get("answer"), len(options))
        except FieldInvalid as exc:
            row.error(exc.message, key="answer")
    if row.errors:
        return
    row.key = code
    cleaned["input"] = QuestionInput(
        code=code, qtype=qtype, stem=cleaned["stem"], options=options, answer=cleaned["answer"],
        explanation=cleaned["explanation"], area_name=cleaned["area"], personnel_types=cleaned["personnel_types"],
        exam_types=cleaned["exam_types"], difficulty=cleaned["difficulty"])


def _areas():
    return [(name, "") for name in KnowledgeArea.objects.filter(is_active=True).values_list("name", flat=True)]


EXAM_TYPE_NOTE = "、".join(ExamType.labels)

COLUMNS = (
    Column("code", "题目编号", "必填。字母、数字、“-”或“_”，最长 32 位，如 TX-0001。题目编号相同即为同一道题：再次导入时内容未变化的报告为已存在，内容有变化的生成新版本。",
           clean=_cleaner(clean_code), width=14, example="TX-0001"),
    Column("qtype", "题型", "必填。单选题、多选题或判断题（从下拉列表选择）。", clean=_cleaner(clean_qtype), width=10,
           example="单选题", dropdown=Dropdown(lambda: [(c.label, "") for c in QuestionType], "题型",
                                               "请从下拉列表选择：单选题、多选题、判断题")),
    Column("stem", "题干", "必填。最多 2000 字。", clean=_cleaner(clean_stem), width=50,
           example="在通信管道人孔内作业前，应首先进行的工作是（ ）。"),
    *(Column(key, f"选项{LETTERS[i]}", ("选择题至少填写选项A、B，最多到选项H，中间不留空。判断题不填选项（固定为“正确”“错误”）。"
                                         if i == 0 else "选填。"), clean=_clean_option, required=False,
             requirement="选择题必填" if i < 2 else "选填", width=24, example="通风并检测有毒有害气体" if i == 0 else "")
      for i, key in enumerate(OPTION_KEYS)),
    Column("answer", "答案", "必填。选项字母：单选如 B，多选如 ACD；判断题填“正确”或“错误”。", width=8, example="A"),
    Column("explanation", "解析", "选填。最多 2000 字。", clean=_cleaner(clean_explanation), required=False, width=40),
    Column("area", "知识领域", "必填。从下拉列表选择部中心维护的知识领域。", clean=_clean_area, width=18,
           dropdown=Dropdown(_areas, "知识领域", "请从下拉列表选择已有的知识领域")),
    Column("personnel_types", "适用人员类型", "必填。A、B、C 的任意组合，如 ABC 或 AC。",
           clean=_cleaner(clean_personnel_types), width=12, example="ABC"),
    Column("exam_types", "适用考核类型", f"必填。{EXAM_TYPE_NOTE} 中的一个或多个，用顿号分隔。",
           clean=_cleaner(clean_exam_types), width=36, example="、".join(ExamType.labels)),
    Column("difficulty", "难度", "必填。1–5 的整数，1 最易。", clean=_cleaner(clean_difficulty), width=8, example="3",
           dropdown=Dropdown(lambda: [(str(d), "") for d in range(1, 6)], "难度", "请填写 1–5 的整数")),
)

SHEET = Sheet(
    name="试题", item="试题", columns=COLUMNS, row_rules=(question_row_rule,),
    template_filename="题库导入模板.xlsx", help_title="题库导入填写说明",
    help_tables=(HelpTable("题型", lambda: [(c.label,) for c in QuestionType], header=("题型",)),
                 HelpTable("考核类型", lambda: [(c.label,) for c in ExamType], header=("考核类型",))),
    notes=("1. 每行一道题，题目编号不能重复；已有的题目编号再次导入时：内容未变化报告为“已存在”，"
           "题干、选项、答案或解析有变化则生成新版本（已生成的试卷仍使用原版本）。",
           "2. 判断题的选项固定为“正确”“错误”，不必填写。",
           "3. 导入失败的行会在“下载导入结果”中标出原因，修改后可再次上传该文件。"),
)
