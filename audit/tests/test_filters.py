"""The audit log viewer's one filter definition (audit.filters; decisions.md "One filter definition per list"): the page shows the
rows of the filter definition; an invalid filter shows its message and no rows, never the log."""

import pytest
from django.urls import reverse

from audit.actions import Action
from audit.filters import AuditFilterForm
from audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(world):
    audit_record(actor=world.admin_a, action=Action.PLAN_CREATE, region=world.region_a, message="甲")
    audit_record(actor=world.admin_b, action=Action.PLAN_CREATE, region=world.region_b, message="乙")


def messages(response) -> list[str]:
    return [e.message for e in response.context["page_obj"]]


def test_the_page_shows_the_rows_of_the_filter_definition(client, world, entries):
    client.force_login(world.central)
    for params in ({}, {"actor": "t_admin_gd"}, {"region": str(world.region_a.pk)}, {"action": "plan"}):
        form = AuditFilterForm(params, user=world.central)
        assert messages(client.get(reverse("audit:list"), params)) == [e.message for e in form.rows()], params
    assert messages(client.get(reverse("audit:list"), {"region": str(world.region_a.pk)})) == ["甲"]


@pytest.mark.parametrize("params, words", [
    ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "截止日期不能早于起始日期"),
    ({"date_from": "20260101"}, "起始日期格式应为 yyyy-mm-dd"),
    ({"region": "999999"}, "地区的选项无效"),
    ({"action": "plan.launch"}, "动作的选项无效"),
    ({"ip": "10.0.0.300"}, "IP 地址"),
])
def test_an_invalid_filter_shows_its_message_and_no_rows(client, world, entries, params, words):
    client.force_login(world.central)
    response = client.get(reverse("audit:list"), params)
    body = response.content.decode()
    assert messages(response) == [] and "甲" not in body
    assert 'data-testid="filter-invalid"' in body and words in body and "未显示任何记录" in body
