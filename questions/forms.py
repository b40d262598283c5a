from django import forms

from candidates.choices import PersonnelType
from core.forms import Form
from plans.choices import ExamType

from .choices import DIFFICULTY_MAX, DIFFICULTY_MIN, LETTERS, MAX_OPTIONS, QuestionType
from .models import KnowledgeArea
from .validation import FieldInvalid, clean_question

DIFFICULTIES = [(str(d), str(d)) for d in range(DIFFICULTY_MIN, DIFFICULTY_MAX + 1)]


class QuestionForm(Form):
    """添加 / 修改试题: every rule of a question is checked by questions.validation (the same
    cleaners as the import)."""

    code = forms.CharField(label="题目编号", max_length=32, help_text="字母、数字、“-”或“_”，保存后不可修改")
    qtype = forms.ChoiceField(label="题型", choices=QuestionType.choices)
    stem = forms.CharField(label="题干", widget=forms.Textarea(attrs={"rows": 3}))
    area = forms.ModelChoiceField(label="知识领域", queryset=KnowledgeArea.objects.filter(is_active=True),
                                  empty_label="请选择")
    personnel_types = forms.MultipleChoiceField(label="适用人员类型", choices=PersonnelType.choices,
                                                widget=forms.CheckboxSelectMultiple)
    exam_types = forms.MultipleChoiceField(label="适用考核类型", choices=ExamType.choices,
                                           widget=forms.CheckboxSelectMultiple)
    difficulty = forms.ChoiceField(label="难度", choices=DIFFICULTIES, initial="3")
    answer = forms.CharField(label="答案", max_length=16,
                             help_text="选项字母，如 B；多选如 ACD；判断题填“正确”或“错误”")
    explanation = forms.CharField(label="解析", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(MAX_OPTIONS):
            self.fields[f"option_{i}"] = forms.CharField(
                label=f"选项 {LETTERS[i]}", required=False, max_length=500,
                help_text="判断题不填写选项（固定为“正确”“错误”）" if i == 0 else "")
        order = ["code", "qtype", "stem"] + [f"option_{i}" for i in range(MAX_OPTIONS)] + [
            "answer", "explanation", "area", "personnel_types", "exam_types", "difficulty"]
        self.order_fields(order)
        if editing:
            self.fields["code"].disabled = True

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        raw = {"code": data.get("code"), "qtype": data.get("qtype"), "stem": data.get("stem"),
               "options": [data.get(f"option_{i}") for i in range(MAX_OPTIONS)],
               "answer": data.get("answer"), "explanation": data.get("explanation"),
               "area": data["area"].name if data.get("area") else "",
               "personnel_types": "".join(data.get("personnel_types") or []),
               "exam_types": data.get("exam_types") or [], "difficulty": data.get("difficulty")}
        if raw["qtype"] == QuestionType.JUDGE and not any(raw["options"]):
            raw["options"] = []
        try:
            data["input"] = clean_question(raw)
        except FieldInvalid as exc:
            self.add_error("option_0" if exc.field == "options" else exc.field, exc.message)
        return data

    @classmethod
    def initial_for(cls, question) -> dict:
        version = question.current_version
        initial = {"code": question.code, "qtype": version.qtype, "stem": version.stem, "area": question.area_id,
                   "personnel_types": list(question.personnel_types), "exam_types": question.exam_type_list,
                   "difficulty": str(question.difficulty), "explanation": version.explanation}
        if version.qtype == QuestionType.JUDGE:
            initial["answer"] = "正确" if version.answer == "A" else "错误"
        else:
            initial["answer"] = version.answer
            for i, text in enumerate(version.options):
                initial[f"option_{i}"] = text
        return initial


class AreaForm(Form):
    name = forms.CharField(label="知识领域名称", max_length=50)
    sort_order = forms.IntegerField(label="排序", min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)


class ReasonForm(Form):
    reason = forms.CharField(label="原因", required=False, max_length=500)
