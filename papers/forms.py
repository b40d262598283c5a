from django import forms

from candidates.choices import PersonnelType
from core.forms import Form
from plans.choices import ExamType
from questions.choices import QUESTION_TYPE_ORDER, QuestionType

from .choices import PARTIAL_MULTIPLE_RULE
from .services import MAX_CELL_COUNT, RuleInput


class RuleForm(Form):
    """组卷规则: name, 考核类型, 人员类型 (several for a shared rule), points per type, pass mark,
    and the blueprint: one number per knowledge area × 题型 (`cell_<area>_<qtype>`)."""

    name = forms.CharField(label="规则名称", max_length=100)
    exam_type = forms.ChoiceField(label="考核类型", choices=[("", "请选择")] + list(ExamType.choices))
    personnel_types = forms.MultipleChoiceField(label="适用人员类型", choices=PersonnelType.choices,
                                                widget=forms.CheckboxSelectMultiple,
                                                help_text="继续教育通常三类人员共用一套规则")
    points_single = forms.DecimalField(label="单选题每题分值", min_value=0, max_digits=4, decimal_places=1, initial=1)
    points_multiple = forms.DecimalField(label="多选题每题分值", min_value=0, max_digits=4, decimal_places=1, initial=2)
    points_judge = forms.DecimalField(label="判断题每题分值", min_value=0, max_digits=4, decimal_places=1, initial=1)
    pass_mark = forms.DecimalField(label="合格分数线", min_value=0, max_digits=6, decimal_places=1, initial=60)
    partial_multiple = forms.BooleanField(label="多选题部分得分", required=False,
                                          help_text="不勾选：多选题须全部选对才得分。勾选：" + PARTIAL_MULTIPLE_RULE)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = list(areas)
        self.grid = []
        for area in self.areas:
            row = []
            for qtype in QUESTION_TYPE_ORDER:
                name = f"cell_{area.pk}_{qtype}"
                self.fields[name] = forms.IntegerField(
                    label=f"{area.name} {QuestionType(qtype).label}", required=False, min_value=0,
                    max_value=MAX_CELL_COUNT, widget=forms.NumberInput(attrs={"class": "cell-input", "min": 0}))
                row.append(name)
            self.grid.append((area, row))

    def grid_rows(self):
        return [(area, [self[name] for name in names]) for area, names in self.grid]

    def visible_head_fields(self):
        return [self[n] for n in ("name", "exam_type", "personnel_types", "points_single", "points_multiple",
                                  "points_judge", "pass_mark", "partial_multiple")]

    def rule_input(self) -> RuleInput:
        data = self.cleaned_data
        cells = []
        for area, names in self.grid:
            for name, qtype in zip(names, QUESTION_TYPE_ORDER, strict=True):
                if data.get(name):
                    cells.append((area.pk, str(qtype), data[name]))
        return RuleInput(
            name=data["name"], exam_type=data["exam_type"], personnel_types="".join(data["personnel_types"]),
            points={"single": data["points_single"], "multiple": data["points_multiple"],
                    "judge": data["points_judge"]},
            pass_mark=data["pass_mark"], cells=cells, partial_multiple=bool(data.get("partial_multiple")))

    @staticmethod
    def initial_for(rule) -> dict:
        initial = {"name": rule.name, "exam_type": rule.exam_type, "personnel_types": list(rule.personnel_types),
                   "points_single": rule.points_single, "points_multiple": rule.points_multiple,
                   "points_judge": rule.points_judge, "pass_mark": rule.pass_mark, "revision": rule.revision,
                   "partial_multiple": rule.partial_multiple}
        for cell in rule.cells.all():
            initial[f"cell_{cell.area_id}_{cell.qtype}"] = cell.count
        return initial


class PreviewForm(Form):
    personnel_type = forms.ChoiceField(label="人员类型", choices=PersonnelType.choices, required=False)
    seed = forms.IntegerField(label="随机种子", required=False, min_value=0, max_value=2**63 - 1)
