"""The question bank list's filters (题库管理 高级搜索, central): one definition (core.filters) for
the list page and its export. The filtering itself is questions.selectors.question_list."""

from django import forms

from candidates.choices import PersonnelType
from core.filters import FilterForm
from plans.choices import ExamType

from .choices import QuestionType
from .forms import DIFFICULTIES
from .models import KnowledgeArea
from .selectors import area_list, question_list


class QuestionFilterForm(FilterForm):
    """题目编号 / 题干 (contains), 题型, 知识领域, 人员类型, 考核类型, 难度, 状态."""

    q = forms.CharField(label="题目编号 / 题干", required=False)
    qtype = forms.ChoiceField(label="题型", required=False, choices=[("", "全部")] + list(QuestionType.choices))
    area = forms.ModelChoiceField(label="知识领域", required=False, queryset=KnowledgeArea.objects.none(),
                                  empty_label="全部")
    personnel_type = forms.ChoiceField(label="人员类型", required=False,
                                       choices=[("", "全部")] + [(p.value, p.value) for p in PersonnelType])
    exam_type = forms.ChoiceField(label="考核类型", required=False, choices=[("", "全部")] + list(ExamType.choices))
    difficulty = forms.ChoiceField(label="难度", required=False, choices=[("", "全部")] + DIFFICULTIES)
    enabled = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), ("1", "启用"), ("0", "停用")])

    selector = staticmethod(question_list)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["area"].queryset = area_list(fetched_by=user)
