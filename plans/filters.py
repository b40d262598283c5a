"""The plan lists' filters (考核计划管理 高级搜索, the guide 二(一)): one definition (core.filters)
for 考核计划管理 and for central's 计划审核 queue. The filtering itself is plans.selectors."""

from django import forms

from core.filters import FilterForm
from core.roles import Role
from core.widgets import YmdDateInput
from regions.models import Region

from .choices import AuditStatus, ExamType
from .selectors import plan_list, plan_review_queue


class PlanFilterForm(FilterForm):
    """批次编号 (contains), 考试类型, 考试日期 从…至…, 审核状态, and 地区 for central (a region's form
    has no 地区: ?region= is no filter for it)."""

    batch_no = forms.CharField(label="批次编号", required=False, max_length=16)
    exam_type = forms.ChoiceField(label="考试类型", required=False, choices=[("", "全部")] + list(ExamType.choices))
    date_from = forms.DateField(label="考试日期 从", required=False, widget=YmdDateInput())
    date_to = forms.DateField(label="至", required=False, widget=YmdDateInput())
    audit_status = forms.ChoiceField(label="审核状态", required=False, choices=[("", "全部")] + list(AuditStatus.choices))

    selector = staticmethod(plan_list)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if user.role == Role.CENTRAL:
            self.fields["region"] = forms.ModelChoiceField(
                label="地区", required=False, empty_label="全部", queryset=Region.objects.visible_to(user)
            )
            self.fields["region"].error_messages["invalid_choice"] = "地区的选项无效，请重新选择"
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = "日期格式应为 yyyy-mm-dd"

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "结束日期不能早于开始日期")
        return data


class ReviewQueueFilterForm(PlanFilterForm):
    """计划审核 (central): the same search over 未审核 plans, so without 审核状态."""

    selector = staticmethod(plan_review_queue)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["audit_status"]
