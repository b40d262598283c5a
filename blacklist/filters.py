"""The blacklist list's filters (黑名单管理, the guide 五): one definition (core.filters) for the
list page and its export. The filtering itself is blacklist.selectors.entry_list."""

from django import forms

from core.filters import FilterForm
from core.roles import Role
from core.widgets import YmdDateInput
from regions.models import Region

from .choices import PenaltyState
from .models import ViolationCategory
from .selectors import category_choices, entry_list

DATE_WIDGET = {"widget": YmdDateInput(), "input_formats": ["%Y-%m-%d"]}


class EntryFilterForm(FilterForm):
    """姓名 (contains), 证件号码 (the whole number), 违规类型, 状态, 处罚期 自…至…, and 地区 for
    central (a region's form has no 地区: ?region= is no filter for it)."""

    name = forms.CharField(label="姓名", required=False, max_length=50)
    id_number = forms.CharField(label="证件号码", required=False, max_length=32,
                                widget=forms.TextInput(attrs={"placeholder": "完整号码"}))
    category = forms.ModelChoiceField(label="违规类型", queryset=ViolationCategory.objects.none(),
                                      required=False, empty_label="全部")
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *PenaltyState.choices])
    period_from = forms.DateField(label="处罚期自", required=False, **DATE_WIDGET)
    period_to = forms.DateField(label="处罚期至", required=False, **DATE_WIDGET)
    region = forms.ModelChoiceField(label="地区", queryset=Region.objects.none(), required=False, empty_label="全部")

    selector = staticmethod(entry_list)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["category"].queryset = category_choices(fetched_by=user)
        if user.role == Role.CENTRAL:
            self.fields["region"].queryset = Region.objects.visible_to(user)
        else:
            del self.fields["region"]

    def clean(self):
        data = super().clean()
        if data.get("period_from") and data.get("period_to") and data["period_from"] > data["period_to"]:
            self.add_error("period_to", "结束日期不能早于开始日期")
        return data
