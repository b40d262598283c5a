"""The blacklist list's one filter definition (blacklist.filters; decisions.md "One filter definition per list"): the same query
string gives the same rows on the page and in the export; an invalid filter gives no rows, no
file and no export record. 违规类型 are reference data every administrator reads."""

import datetime
import io
from urllib.parse import urlencode

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditLog
from blacklist.models import ViolationCategory
from blacklist.selectors import active_categories, category_choices, category_get, category_list
from blacklist.tests.factories import category, make_entry
from core.masking import mask_id_number

pytestmark = pytest.mark.django_db
ONE = datetime.timedelta(days=1)


@pytest.fixture
def entries(world):
    today = timezone.localdate()
    return {
        "zhang": make_entry(central=world.central, region=world.region_a, name="张三", category_name="替考",
                            start=today - ONE, end=today + 100 * ONE),
        "li": make_entry(central=world.central, region=world.region_a, name="李四", start=today - 400 * ONE,
                         end=today - ONE),
        "wang": make_entry(central=world.central, region=world.region_a, name="王五", start=today + 10 * ONE),
        "gd": make_entry(central=world.central, region=world.region_b, name="张广东", category_name="替考"),
    }


def queries(entries) -> list[dict]:
    today = timezone.localdate()
    return [
        {},
        {"name": "张"},
        {"id_number": entries["li"].id_number},
        {"category": str(category("替考").pk)},
        {"state": "expired"},
        {"period_from": f"{today:%Y-%m-%d}", "period_to": f"{today + 5 * ONE:%Y-%m-%d}"},
        {"name": "张", "state": "running"},
    ]


def page_rows(client, params) -> list[tuple]:
    response = client.get(reverse("blacklist:list"), {**params, "page_size": 100})
    assert response.status_code == 200
    return [(r["entry"].name, r["masked_id"]) for r in response.context["rows"]]


def export_rows(client, params, *, masked: bool = True) -> list[tuple]:
    response = client.get(reverse("blacklist:export") + "?" + urlencode(params))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [(r[0], r[2]) for r in sheet.iter_rows(min_row=2, values_only=True)]
    return rows if masked else [(name, mask_id_number(number)) for name, number in rows]


@pytest.mark.parametrize("who", ["admin_a", "central"])
def test_the_same_query_string_gives_the_same_rows_on_the_page_and_in_the_file(client, world, entries, who):
    client.force_login(getattr(world, who))
    for params in queries(entries):
        assert export_rows(client, params, masked=who != "central") == page_rows(client, params), params
    assert [name for name, _ in page_rows(client, {"name": "张"})] == (
        ["张三"] if who == "admin_a" else ["张广东", "张三"])
    if who == "central":
        params = {"region": str(world.region_b.pk)}
        assert export_rows(client, params, masked=False) == page_rows(client, params) == [
            ("张广东", mask_id_number(entries["gd"].id_number))]


INVALID = [
    ({"period_from": "2026/05/01"}, "处罚期自"),
    ({"period_from": "2026-05-02", "period_to": "2026-05-01"}, "结束日期不能早于开始日期"),
    ({"category": "999999"}, "违规类型的选项无效"),
    ({"state": "forever"}, "状态的选项无效"),
]


@pytest.mark.parametrize("params, words", INVALID)
def test_an_invalid_filter_shows_its_message_and_no_rows(client, world, entries, params, words):
    client.force_login(world.admin_a)
    response = client.get(reverse("blacklist:list"), {"name": "张", **params})
    body = response.content.decode()
    assert response.context["rows"] == [] and "张三" not in body
    assert 'data-testid="filter-invalid"' in body and words in body and "未显示任何记录" in body


@pytest.mark.parametrize("params, words", INVALID)
def test_an_invalid_filter_exports_nothing(client, world, entries, params, words):
    client.force_login(world.admin_a)
    response = client.get(reverse("blacklist:export") + "?" + urlencode(params), follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("blacklist:list"))
    assert words in body and "未导出任何数据" in body
    assert not AuditLog.objects.filter(action=Action.BLACKLIST_EXPORT).exists()


def test_a_region_has_no_region_filter_so_region_is_ignored_not_invalid(client, world, entries):
    client.force_login(world.admin_a)
    params = {"region": str(world.region_b.pk)}
    assert page_rows(client, params) == page_rows(client, {}) == export_rows(client, params)


def test_categories_are_read_by_every_administrator_and_no_one_else(world):
    everything = ViolationCategory.objects.count()
    for user in (world.central, world.admin_a):
        assert category_list(fetched_by=user).count() == category_choices(fetched_by=user).count() == everything
        assert active_categories(fetched_by=user).count() == ViolationCategory.objects.filter(is_active=True).count()
        assert category_get(pk=category("替考").pk, fetched_by=user) == category("替考")
    assert category_choices(fetched_by=world.candidate).count() == 0
    assert active_categories(fetched_by=world.candidate).count() == 0
    from django.http import Http404

    with pytest.raises(Http404):
        category_get(pk=category("替考").pk, fetched_by=world.candidate)
