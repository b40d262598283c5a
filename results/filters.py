"""The filters of 成绩管理: the candidate list's seven (candidates.forms.CandidateFilterForm,
the guide 三) split where they apply. The plan list takes 考试计划类型, 年份, 考试批次 (and 地区
for central); a plan's 成绩单 takes 姓名, 证件号码, 人员类型/报考类型, 企业名称."""

from candidates.forms import CandidateFilterForm
from core.roles import Role

from . import selectors


class _Subset(CandidateFilterForm):
    keep: tuple[str, ...] = ()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        for name in list(self.fields):
            if name not in self.keep:
                del self.fields[name]


class PlanFilterForm(_Subset):
    keep = ("exam_type", "exam_year", "plan", "region")
    selector = staticmethod(selectors.score_plans)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if user.role != Role.CENTRAL:  # a region chooses among its published plans only
            self.fields["plan"].queryset = self.fields["plan"].queryset.filter(score_publication__isnull=False)
            self.offered_plans = self.fields["plan"].queryset


class SheetFilterForm(_Subset):
    """rows(plan=...): the 成绩单 of one plan."""

    keep = ("name", "id_number", "personnel_type", "company_name")
    selector = staticmethod(selectors.score_sheet)
