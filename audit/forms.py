from django import forms

from core.widgets import YmdDateInput
from regions.models import Region


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="操作人", required=False, max_length=64)
    action = forms.CharField(label="操作", required=False, max_length=64)
    object_type = forms.CharField(label="对象类型", required=False, max_length=64)
    object_id = forms.CharField(label="对象 ID", required=False, max_length=64)
    region = forms.ModelChoiceField(label="地区", queryset=Region.objects.all(), required=False, empty_label="全部")
    ip = forms.GenericIPAddressField(label="IP 地址", required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=YmdDateInput())
    date_to = forms.DateField(label="截止日期", required=False, widget=YmdDateInput())

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data
