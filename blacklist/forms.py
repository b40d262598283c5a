"""Forms of 黑名单管理. They parse input only; the rules live in blacklist.services, whose
ApplicationError the views put beside the field it names."""

import json

from django import forms

from core.forms import Form
from core.widgets import YmdDateInput
from people.models import IdType
from regions.models import Region

from .choices import EVIDENCE_EXTENSIONS, EVIDENCE_MAX_BYTES, MAX_PENALTY_MONTHS
from .models import ViolationCategory
from .selectors import active_categories

DATE_WIDGET = {"widget": YmdDateInput(), "input_formats": ["%Y-%m-%d"]}
ACCEPT = ",".join(f".{e}" for e in EVIDENCE_EXTENSIONS)
EVIDENCE_HELP = f"可选；PDF、JPG、PNG、DOCX、XLSX 或 ZIP，不超过 {EVIDENCE_MAX_BYTES // (1024 * 1024)} MB；仅部中心可下载"


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ViolationCategory) -> str:
        return f"{obj.name}（默认 {obj.default_penalty_months} 个月{'，成绩作废' if obj.voids_score else ''}）"


def _months_map(queryset) -> str:
    return json.dumps({str(c.pk): c.default_penalty_months for c in queryset})


class _PenaltyFields(Form):
    category = CategoryChoiceField(label="违规类型", queryset=ViolationCategory.objects.none(), empty_label="请选择")
    penalty_start = forms.DateField(label="处罚开始日期", **DATE_WIDGET, help_text="默认今天")
    penalty_end = forms.DateField(label="处罚截止日期", required=False, **DATE_WIDGET,
                                  help_text="含当日；留空则为开始日期加违规类型的默认月数减一天")
    evidence_note = forms.CharField(label="证据说明", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    evidence_file = forms.FileField(label="证据附件", required=False, help_text=EVIDENCE_HELP,
                                    widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, user, current_category: ViolationCategory | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = active_categories(fetched_by=user)
        if current_category is not None and not current_category.is_active:
            queryset = ViolationCategory.objects.filter(pk__in=[*queryset.values_list("pk", flat=True),
                                                                current_category.pk]).order_by("name")
        self.fields["category"].queryset = queryset
        # read by blacklist/static/blacklist/entry_form.js to propose the default end date
        self.category_months = _months_map(queryset)

    def clean(self):
        data = super().clean()
        start, end = data.get("penalty_start"), data.get("penalty_end")
        if start and end and end < start:
            self.add_error("penalty_end", "处罚截止日期不能早于开始日期")
        return data


class EntryForm(_PenaltyFields):
    """添加 by 证件类型 + 证件号码."""

    id_type = forms.ModelChoiceField(label="证件类型", queryset=IdType.objects.filter(is_active=True), empty_label=None)
    id_number = forms.CharField(label="证件号码", max_length=32)
    name = forms.CharField(label="姓名", max_length=50)
    company_name = forms.CharField(label="企业名称", max_length=100, required=False)
    region = forms.ModelChoiceField(label="违规所在地区", queryset=Region.objects.all(), empty_label="请选择",
                                    help_text="违规发生的考核计划所在地区；该地区管局可查看此记录")

    field_order = ["id_type", "id_number", "name", "company_name", "region", "category", "penalty_start",
                   "penalty_end", "evidence_note", "evidence_file"]


class FromRegistrationForm(_PenaltyFields):
    """添加 from a registration: the person and region come from the registration."""


class EntryEditForm(_PenaltyFields):
    name = forms.CharField(label="姓名", max_length=50)
    company_name = forms.CharField(label="企业名称", max_length=100, required=False)
    region = forms.ModelChoiceField(label="违规所在地区", queryset=Region.objects.all(), empty_label="请选择")
    reason = forms.CharField(label="修改原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["name", "company_name", "region", "category", "penalty_start", "penalty_end",
                   "evidence_note", "evidence_file", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["penalty_end"].required = True
        self.fields["penalty_end"].help_text = "含当日"
        self.fields["evidence_file"].help_text = "上传新文件将替换当前附件（原附件保留在审计记录中）；" + EVIDENCE_HELP


class RevokeForm(Form):
    reason = forms.CharField(label="撤销原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class RegistrationLookupForm(Form):
    q = forms.CharField(label="考生编号或证件号码", max_length=32)


class CategoryForm(Form):
    name = forms.CharField(label="名称", max_length=50)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    default_penalty_months = forms.IntegerField(label="默认处罚期限（月）", min_value=1, max_value=MAX_PENALTY_MONTHS)
    voids_score = forms.BooleanField(label="成绩作废", required=False, initial=True)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    reason = forms.CharField(label="修改原因", required=False, max_length=500)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]
            del self.fields["reason"]
