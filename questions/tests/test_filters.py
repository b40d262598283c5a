"""The bank list's one filter definition (questions.filters; decisions.md "One filter definition per list"): the same query string
gives the same questions on the page and in the export; an invalid filter shows its message and
no rows, and exports nothing (before, it was dropped and the whole bank was shown and exported)."""

import io
from urllib.parse import urlencode

import openpyxl
import pytest
from django.urls import reverse

from audit.actions import Action
from audit.models import AuditLog
from questions.models import KnowledgeArea
from questions.tests.factories import make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(world):
    make_question(world.central, "GX-0001", area="动火作业", qtype="single", personnel_types="AB")
    make_question(world.central, "GX-0002", area="高处作业", qtype="judge", personnel_types="C")
    make_question(world.central, "GX-0003", area="高处作业", qtype="single", personnel_types="BC")


def page_codes(client, params) -> list[str]:
    response = client.get(reverse("questions:list"), {**params, "page_size": 100})
    assert response.status_code == 200
    return [q.code for q in response.context["page_obj"]]


def export_codes(client, params) -> list[str]:
    response = client.get(reverse("questions:export") + "?" + urlencode(params))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_same_query_string_gives_the_same_questions_on_the_page_and_in_the_file(client, world, bank):
    client.force_login(world.central)
    high = str(KnowledgeArea.objects.get(name="高处作业").pk)
    for params in ({}, {"q": "GX-0002"}, {"qtype": "single"}, {"area": high}, {"personnel_type": "B"},
                   {"area": high, "qtype": "single"}, {"enabled": "1"}):
        assert export_codes(client, params) == page_codes(client, params), params
    assert page_codes(client, {"area": high, "qtype": "single"}) == ["GX-0003"]
    entry = AuditLog.objects.filter(action=Action.QUESTION_EXPORT).latest("id")
    assert entry.after["filters"] == {"enabled": "1"}


@pytest.mark.parametrize("params, words", [
    ({"area": "999999"}, "知识领域的选项无效"),
    ({"difficulty": "9"}, "难度的选项无效"),
    ({"qtype": "essay"}, "题型的选项无效"),
])
def test_an_invalid_filter_shows_no_rows_and_exports_nothing(client, world, bank, params, words):
    client.force_login(world.central)
    response = client.get(reverse("questions:list"), params)
    body = response.content.decode()
    assert list(response.context["page_obj"]) == [] and "GX-0001" not in body
    assert 'data-testid="filter-invalid"' in body and words in body and "未显示任何记录" in body
    response = client.get(reverse("questions:export") + "?" + urlencode(params), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("questions:list"))
    assert words in response.content.decode() and "未导出任何数据" in response.content.decode()
    assert not AuditLog.objects.filter(action=Action.QUESTION_EXPORT).exists()


def test_an_area_export_records_the_area_by_its_key(client, world, bank):
    client.force_login(world.central)
    high = KnowledgeArea.objects.get(name="高处作业").pk
    export_codes(client, {"area": str(high)})
    assert AuditLog.objects.get(action=Action.QUESTION_EXPORT).after["filters"] == {"area": high}
