"""Forms of the candidate information pages (学员考核信息管理, the guide 三; SPEC.md §4).

The filter form is the candidate list's one filter definition (core.filters.FilterForm): it
parses the query string of the list page, of its export (services.registration_export) and of
the export job (notices.run_export); the filtering itself is candidates.selectors.
registration_list. The candidate form only collects
the fields: the rules are checked by the import's row validator (candidates.importing.validation)
inside the services, so a rule is written once for the file import and this form."""

from html import escape as _escape

from django import forms
from django.utils.safestring import mark_safe

from core.filters import FilterForm
from core.forms import Form
from core.roles import Role
from people.models import IdType
from people.validation import normalize_id_number
from plans.choices import ExamType
from plans.models import ExamPlan
from regions.models import Region

from .choices import PersonnelType
from .selectors import (
    SORT_KEYS,
    plan_filter_choices,
    registration_list,
    registration_years,
    visible_plan_rows,
)

ID_NUMBER_MIN_LENGTH = 5  # people.validation: a passport number has 5 to 17 characters


def options_html(options) -> str:
    """<option> elements of (value, label, selected) triples, as one safe string. The values and
    labels are escaped together, in one html.escape (what django.utils.html.escape calls) over
    their join: central's 考试批次 select has a thousand plans, and escaping each value and
    label apart took a few milliseconds of the list page's 50 ms budget (format_html_join
    about ten)."""
    texts = [str(value) for value, _, _ in options] + [str(label) for _, label, _ in options]
    joined = "\x00".join(texts)
    if texts and joined.count("\x00") == len(texts) - 1:  # no text holds the separator itself
        escaped = _escape(joined).split("\x00")
    else:
        escaped = [_escape(t) for t in texts]
    n = len(options)
    return mark_safe("".join([
        f'<option value="{escaped[i]}" selected>{escaped[n + i]}</option>' if options[i][2]
        else f'<option value="{escaped[i]}">{escaped[n + i]}</option>'
        for i in range(n)]))


class CandidateFilterForm(FilterForm):
    """The guide's filters: 姓名, 证件号码, 人员类型/报考类型, 企业名称, 考试计划类型, 年份, 考试批次,
    plus 地区 for central. Every value lives in the query string, so a search is a bookmark. The
    list page, its export (candidates.services.registration_export) and the export job
    (candidates.notices.run_export) all parse it here and read through registration_list."""

    name = forms.CharField(label="姓名", max_length=50, required=False)
    id_number = forms.CharField(label="证件号码", max_length=32, required=False,
                                widget=forms.TextInput(attrs={"placeholder": "完整号码"}))
    personnel_type = forms.ChoiceField(
        label="人员类型/报考类型", required=False, choices=[("", "全部")] + list(PersonnelType.choices)
    )
    company_name = forms.CharField(label="企业名称", max_length=100, required=False)
    exam_type = forms.ChoiceField(label="考试计划类型", required=False, choices=[("", "全部")] + list(ExamType.choices))
    exam_year = forms.TypedChoiceField(label="年份", required=False, coerce=int, empty_value=None)
    plan = forms.ModelChoiceField(label="考试批次", required=False, queryset=ExamPlan.objects.none(), empty_label="全部")
    region = forms.ModelChoiceField(label="地区", required=False, queryset=Region.objects.none(), empty_label="全部")
    sort = forms.ChoiceField(label="排序", required=False, widget=forms.HiddenInput,
                             choices=[("", "")] + [(k, k) for k in SORT_KEYS] + [(f"-{k}", k) for k in SORT_KEYS])

    selector = staticmethod(registration_list)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        plans = ExamPlan.objects.visible_to(user).select_related("region").order_by("-exam_date", "-id")
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = lambda p: f"{p.batch_no}（{p.exam_date:%Y-%m-%d}）"
        # the plans the user can see, read once for the 年份 choices and the 考试批次 options
        self.plan_rows = visible_plan_rows(fetched_by=user)
        # a form that offers fewer plans than the caller sees (成绩管理: a region's published ones)
        # sets this to their queryset, and the 考试批次 options are read from it instead
        self.offered_plans = None
        years = registration_years(fetched_by=user, plan_rows=self.plan_rows)
        self.fields["exam_year"].choices = [("", "全部")] + [(y, str(y)) for y in years]
        if user.role == Role.CENTRAL:
            self.fields["region"].queryset = Region.objects.visible_to(user)
        else:
            del self.fields["region"]
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.TextInput):
                field.widget.attrs.setdefault("placeholder", "请输入")
            field.widget.attrs.setdefault("data-testid", f"filter-{name}")

    def rendered_fields(self) -> list[dict]:
        """The visible fields as plain data for the template. The selects are written by a plain
        loop: Django's widget templates take about 0.5 ms per <option>, and central's 考试批次
        select has a thousand plans (bench/bench_candidates.py); it lists the plans of the 地区,
        年份 and 考试计划类型 chosen (selectors.plan_filter_choices)."""
        data = self.data if self.is_bound else {}
        cleaned = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        fields = []
        for name, field in self.fields.items():
            if name == "sort":
                continue
            current = str(data.get(name, "") or "")
            item = {"name": name, "label": field.label, "value": current, "options": None,
                    "placeholder": field.widget.attrs.get("placeholder", "请输入"),
                    "errors": self.errors.get(name) if self.is_bound else None}
            if name == "plan":
                rows = plan_filter_choices(fetched_by=self.user, region=cleaned.get("region"),
                                           exam_year=cleaned.get("exam_year"), exam_type=cleaned.get("exam_type"),
                                           selected=cleaned.get("plan"), plan_rows=self.plan_rows,
                                           plans=self.offered_plans)
                item["options"] = [("", "全部", not current)] + [
                    (str(pk), f"{batch}（{day.isoformat()}）", str(pk) == current) for pk, batch, day in rows]
            elif name == "region":
                rows = field.queryset.values_list("pk", "name")
                item["options"] = [("", "全部", not current)] + [(str(pk), n, str(pk) == current) for pk, n in rows]
            elif isinstance(field, forms.ChoiceField):
                item["options"] = [(str(v), label, str(v) == current) for v, label in field.choices]
            if item["options"] is not None:
                item["options_html"] = options_html(item["options"])
            fields.append(item)
        return fields

    def clean_id_number(self):
        """证件号码 is searched by the whole number (selectors.registration_list): a value no
        document number can be (the shortest, a passport, has 5 characters) is a partial one."""
        value = normalize_id_number(self.cleaned_data.get("id_number"))
        if value and len(value) < ID_NUMBER_MIN_LENGTH:
            raise forms.ValidationError("请输入完整的证件号码，不支持按部分号码查询")
        return value


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
