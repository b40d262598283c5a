from django import forms

from core.forms import Form
from core.widgets import YmdDateInput
from regions.models import Region


class AuditFilterForm(Form):
    actor = forms.CharField(label="操作人", required=False, max_length=64)
    action = forms.ChoiceField(label="动作", required=False)
    object_type = forms.CharField(label="对象类型", required=False, max_length=64)
    object_id = forms.CharField(label="对象 ID", required=False, max_length=64)
    region = forms.ModelChoiceField(label="地区", queryset=Region.objects.all(), required=False, empty_label="全部")
    ip = forms.GenericIPAddressField(label="IP 地址", required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=YmdDateInput())
    date_to = forms.DateField(label="截止日期", required=False, widget=YmdDateInput())

    GROUPS = [("account.", "账号与登录（全部）"), ("plan", "考核计划（全部）"), ("registration.", "考生报名（全部）"),
              ("person.", "考生信息（全部）"), ("blacklist", "黑名单（全部）")]

    def __init__(self, *args, actions=(), **kwargs):
        from .labels import action_label

        super().__init__(*args, **kwargs)
        # Chinese labels only (issue 18 §3); a code without a label still shows as itself
        self.fields["action"].choices = [("", "全部"), *self.GROUPS,
                                         *sorted(((code, action_label(code)) for code in actions),
                                                 key=lambda choice: (choice[0].split(".", 1)[0], choice[1]))]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data
