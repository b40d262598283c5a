from django import forms

from core.forms import Form
from core.widgets import YmdDateInput
from regions.models import Region

from .actions import ACTION_GROUPS, Action


class AuditFilterForm(Form):
    actor = forms.CharField(label="操作人", required=False, max_length=64)
    action = forms.ChoiceField(label="动作", required=False)
    object_type = forms.CharField(label="对象类型", required=False, max_length=64)
    object_id = forms.CharField(label="对象 ID", required=False, max_length=64)
    region = forms.ModelChoiceField(label="地区", queryset=Region.objects.all(), required=False, empty_label="全部")
    ip = forms.GenericIPAddressField(label="IP 地址", required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=YmdDateInput())
    date_to = forms.DateField(label="截止日期", required=False, widget=YmdDateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Chinese labels only (issue 18 §3): the areas, then every action of the vocabulary by area
        self.fields["action"].choices = [("", "全部"), *ACTION_GROUPS,
                                         *sorted(Action.choices, key=lambda c: (c[0].split(".", 1)[0], c[1]))]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data
