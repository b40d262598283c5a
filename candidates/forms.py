"""Forms of the candidate information pages (学员考核信息管理, the guide 三; SPEC.md §4).

The list's filters are candidates.filters.CandidateFilterForm. The candidate form only collects
the fields: the rules are checked by the import's row validator (candidates.importing.validation)
inside the services, so a rule is written once for the file import and this form."""

from django import forms

from core.forms import Form
from people.models import IdType

from .choices import PersonnelType


class CandidateForm(Form):
    """The single-candidate form: the same fields as a row of the import file (importing.columns).
    Values are passed raw to the shared row validator; this form checks nothing but presence
    of a reason where one is required."""

    name = forms.CharField(label="姓名", max_length=50, required=False)
    id_type = forms.ModelChoiceField(label="证件类型", queryset=IdType.objects.filter(is_active=True), required=False,
                                     empty_label="请选择", to_field_name="code")
    id_number = forms.CharField(label="证件号码", max_length=40, required=False)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    company_name = forms.CharField(label="企业名称", max_length=120, required=False)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30, required=False)
    personnel_type = forms.ChoiceField(label="人员类型", required=False,
                                       choices=[("", "请选择")] + list(PersonnelType.choices))
    cert_number = forms.CharField(label="证书编号", max_length=60, required=False,
                                  help_text="继续教育考核必填")
    cert_expiry = forms.CharField(label="证书到期日期", max_length=20, required=False,
                                  help_text="继续教育考核必填，格式 yyyy-mm-dd",
                                  widget=forms.TextInput(attrs={"placeholder": "yyyy-mm-dd"}))
    reason = forms.CharField(label="更正原因", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, reason_required: bool = False, show_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if reason_required:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = "名单已锁定，部中心更正须填写原因（记入审计日志）"
        elif not show_reason:
            del self.fields["reason"]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-testid", f"field-{name}")

    def raw_row(self) -> dict:
        """The values as the import's validator takes them (strings keyed by column key)."""
        data = self.cleaned_data
        id_type = data.get("id_type")
        return {
            "name": data.get("name", ""),
            "id_type": str(id_type.code) if id_type else "",
            "id_number": data.get("id_number", ""),
            "phone": data.get("phone", ""),
            "company_name": data.get("company_name", ""),
            "credit_code": data.get("credit_code", ""),
            "personnel_type": data.get("personnel_type", ""),
            "cert_number": data.get("cert_number", ""),
            "cert_expiry": data.get("cert_expiry", ""),
        }


class ReasonForm(Form):
    reason = forms.CharField(label="原因", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        self.fields["reason"].widget.attrs["data-testid"] = "field-reason"


class ExportForm(Form):
    """What to export: one part of 5,000 rows (导出第N批) or everything; masked or full IDs."""

    part = forms.IntegerField(label="导出批次", required=False, min_value=1)
    scope = forms.ChoiceField(label="导出范围", required=False, choices=[("part", "导出一批"), ("all", "导出全部")])
    full = forms.BooleanField(label="完整信息", required=False)

    def clean(self):
        data = super().clean()
        if data.get("scope") == "all":
            data["part"] = None
        elif data.get("scope") == "part" and not data.get("part"):
            raise forms.ValidationError("请选择要导出的批次")
        return data
