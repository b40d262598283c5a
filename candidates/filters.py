"""The candidate lists' filters (学员考核信息管理, the guide 三): one definition (core.filters) for
the list page, its export and the background export job (the filtering itself is
candidates.selectors.registration_list), and for 导入记录."""

from django import forms
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.filters import FilterForm
from core.roles import Role
from people.validation import normalize_id_number
from plans.choices import ExamType
from plans.models import ExamPlan
from regions.models import Region

from .choices import PersonnelType
from .importing.selectors import import_run_list
from .selectors import SORT_KEYS, registration_list, registration_years

ID_NUMBER_MIN_LENGTH = 5  # people.validation: a passport number has 5 to 17 characters


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
        self.fields["exam_year"].choices = [("", "全部")] + [(y, str(y)) for y in registration_years(fetched_by=user)]
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
        select has a thousand plans (bench/bench_candidates.py)."""
        data = self.data if self.is_bound else {}
        fields = []
        for name, field in self.fields.items():
            if name == "sort":
                continue
            current = str(data.get(name, "") or "")
            item = {"name": name, "label": field.label, "value": current, "options": None,
                    "placeholder": field.widget.attrs.get("placeholder", "请输入"),
                    "errors": self.errors.get(name) if self.is_bound else None}
            if name == "plan":
                rows = field.queryset.order_by().values_list("pk", "batch_no", "exam_date")
                rows = sorted(rows, key=lambda r: (r[2], r[0]), reverse=True)
                item["options"] = [("", "全部", not current)] + [
                    (str(pk), f"{batch}（{day:%Y-%m-%d}）", str(pk) == current) for pk, batch, day in rows]
            elif name == "region":
                rows = field.queryset.values_list("pk", "name")
                item["options"] = [("", "全部", not current)] + [(str(pk), n, str(pk) == current) for pk, n in rows]
            elif isinstance(field, forms.ChoiceField):
                item["options"] = [(str(v), label, str(v) == current) for v, label in field.choices]
            if item["options"] is not None:
                # one string join with html.escape: a thousand plans in well under a millisecond
                # (format_html_join took about 10 ms of the list page's 50 ms budget)
                item["options_html"] = mark_safe("".join(
                    f'<option value="{escape(str(value))}"{" selected" if selected else ""}>{escape(str(label))}</option>'
                    for value, label, selected in item["options"]))
            fields.append(item)
        return fields

    def clean_id_number(self):
        """证件号码 is searched by the whole number (selectors.registration_list): a value no
        document number can be (the shortest, a passport, has 5 characters) is a partial one."""
        value = normalize_id_number(self.cleaned_data.get("id_number"))
        if value and len(value) < ID_NUMBER_MIN_LENGTH:
            raise forms.ValidationError("请输入完整的证件号码，不支持按部分号码查询")
        return value


class ImportRunFilterForm(FilterForm):
    """导入记录: 批次编号 (contains)."""

    batch_no = forms.CharField(label="批次编号", max_length=16, required=False)

    selector = staticmethod(import_run_list)
