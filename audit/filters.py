"""The audit log viewer's filters (审计日志, central): one definition (core.filters); the filtering
itself is audit.selectors.audit_log_list."""

from django import forms

from core.filters import FilterForm
from core.widgets import YmdDateInput
from regions.models import Region

from .actions import ACTION_GROUPS, Action
from .selectors import audit_log_list


class AuditFilterForm(FilterForm):
    """操作人 (contains), 动作 (an action or a whole area), 对象类型 and 对象 ID (exact), 地区, IP,
    起始日期…截止日期 (whole days, Asia/Shanghai)."""

    actor = forms.CharField(label="操作人", required=False, max_length=64)
    action = forms.ChoiceField(label="动作", required=False)
    object_type = forms.CharField(label="对象类型", required=False, max_length=64)
    object_id = forms.CharField(label="对象 ID", required=False, max_length=64)
    region = forms.ModelChoiceField(label="地区", queryset=Region.objects.none(), required=False, empty_label="全部")
    ip = forms.GenericIPAddressField(label="IP 地址", required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=YmdDateInput())
    date_to = forms.DateField(label="截止日期", required=False, widget=YmdDateInput())

    selector = staticmethod(audit_log_list)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user)
        # Chinese labels only (docs/decisions.md#audit-vocabulary): the areas, then every action of the vocabulary by area
        self.fields["action"].choices = [("", "全部"), *ACTION_GROUPS,
                                         *sorted(Action.choices, key=lambda c: (c[0].split(".", 1)[0], c[1]))]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data
