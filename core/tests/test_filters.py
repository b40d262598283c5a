"""The filter base every list's filters.py builds on (core.filters), over a model of Django's
own (core imports no domain app): one behaviour for an invalid filter, no rows."""

import datetime

import pytest
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.http import QueryDict

from core.errors import ApplicationError
from core.filters import FilterForm, InvalidFilter
from core.forms import Form, add_application_error, error_summary
from core.widgets import YmdDateInput

pytestmark = pytest.mark.django_db

READS = []


def content_type_list(*, filters: dict, fetched_by, **extra):
    READS.append((filters, fetched_by, extra))
    qs = ContentType.objects.all()
    if filters.get("app_label"):
        qs = qs.filter(app_label=filters["app_label"])
    if filters.get("type"):
        qs = qs.filter(pk=filters["type"].pk)
    return qs.order_by("app_label", "model")


class ContentTypeFilter(FilterForm):
    app_label = forms.CharField(label="应用", required=False, max_length=20)
    type = forms.ModelChoiceField(label="类型", required=False, queryset=ContentType.objects.filter(app_label="auth"))
    since = forms.DateField(label="起始日期", required=False, widget=YmdDateInput())

    selector = staticmethod(content_type_list)


def test_no_query_string_is_no_filter():
    form = ContentTypeFilter(QueryDict(""), user="someone")
    assert not form.is_bound and not form.invalid and form.filters() == {} and form.message == ""
    assert form.rows().count() == ContentType.objects.count()


def test_a_valid_filter_reaches_the_selector_cleaned_and_without_empty_values():
    READS.clear()
    form = ContentTypeFilter(QueryDict("app_label=auth&since=&page=3"), user="someone")
    assert form.filters() == {"app_label": "auth"}
    assert set(form.rows().values_list("app_label", flat=True)) == {"auth"}
    assert READS[-1][:2] == ({"app_label": "auth"}, "someone")
    group = ContentType.objects.get(app_label="auth", model="group")
    assert ContentTypeFilter({"type": str(group.pk)}, user="x").filters() == {"type": group}


@pytest.mark.parametrize("query, field, words", [
    ("since=2026/13/01", "since", "起始日期格式应为 yyyy-mm-dd"),
    ("type=999999", "type", "类型的选项无效"),  # an id outside the field's choices
    ("app_label=" + "x" * 21, "app_label", "应用"),
])
def test_an_invalid_filter_gives_no_rows_and_says_what_and_where(query, field, words):
    form = ContentTypeFilter(QueryDict("app_label=auth&" + query if field != "app_label" else query), user="x")
    assert form.invalid and field in form.errors
    assert form.rows().count() == 0  # never the unfiltered list
    assert form.message.startswith("筛选条件有误：") and words in form.message and "未显示任何记录" in form.message
    assert form.shown_filters() == {}
    with pytest.raises(InvalidFilter) as exc:
        form.filters()
    assert isinstance(exc.value, ApplicationError) and words in exc.value.message
    assert field in exc.value.extra["errors"]  # what an API answers with a 400


def test_the_selector_gets_its_extra_arguments():
    READS.clear()
    ContentTypeFilter(None, user="x").rows(public=True)
    assert READS[-1][2] == {"public": True}


class _Dates(Form):
    start = forms.DateField(label="开始日期", required=False)
    end = forms.DateField(label="结束日期", required=False)
    name = forms.CharField(label="姓名", max_length=2, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("结束日期不能早于开始日期")
        return data


def test_error_summary_names_each_field_once_in_the_form_order():
    form = _Dates({"start": "2026-01-02", "end": "2026-01-01", "name": "张三丰"})
    assert not form.is_valid()
    too_long = form.errors["name"][0]  # Django's own words, which do not name the field
    assert error_summary(form) == f"结束日期不能早于开始日期；姓名：{too_long}"
    form = _Dates({"start": "x"})
    form.is_valid()
    assert error_summary(form) == "开始日期格式应为 yyyy-mm-dd，例如 2026-03-09"


def test_an_application_error_goes_beside_its_field_or_above_the_form():
    form = _Dates({"start": datetime.date(2026, 1, 1)})
    form.is_valid()
    add_application_error(form, ApplicationError("不能早于今天", field="start"))
    add_application_error(form, ApplicationError("该计划已被删除", field="plan"))  # no such field: above
    assert form.errors["start"] == ["不能早于今天"] and form.non_field_errors() == ["该计划已被删除"]
