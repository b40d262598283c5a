"""Every bank view through testing.scoping.assert_scoping: the bank is central's only; regions
and candidates are refused (403) and a refused write changes nothing."""

import pytest
from django.urls import reverse

from core.roles import Role
from questions.models import KnowledgeArea, Question
from questions.tests.factories import make_question
from testing.scoping import ScopeCase, assert_scoping

pytestmark = pytest.mark.django_db
CENTRAL = {Role.CENTRAL}


@pytest.fixture
def question(world):
    return make_question(world.central, "SC-0001")


def _unchanged(question):
    before = Question.objects.values().get(pk=question.pk)

    def check():
        assert Question.objects.values().get(pk=question.pk) == before

    return check


def test_list_scoping(client, world, question):
    assert_scoping(client, world, ScopeCase(url=reverse("questions:list"), roles=CENTRAL))


def test_add_scoping(client, world):
    assert_scoping(client, world, ScopeCase(url=reverse("questions:add"), roles=CENTRAL))
    data = {"code": "SC-0009", "qtype": "judge", "stem": "x", "answer": "正确", "area": 1,
            "personnel_types": ["A"], "exam_types": ["new_online"], "difficulty": "3"}
    assert_scoping(client, world, ScopeCase(url=reverse("questions:add"), method="post", data=data, roles=CENTRAL,
                                            try_allowed=False))
    assert not Question.objects.filter(code="SC-0009").exists()


def test_detail_scoping(client, world, question):
    assert_scoping(client, world, ScopeCase(url=reverse("questions:detail", args=[question.pk]), roles=CENTRAL))


def test_edit_scoping(client, world, question):
    assert_scoping(client, world, ScopeCase(url=reverse("questions:edit", args=[question.pk]), roles=CENTRAL))
    assert_scoping(client, world, ScopeCase(url=reverse("questions:edit", args=[question.pk]), method="post",
                                            data={"stem": "改"}, roles=CENTRAL, unchanged=_unchanged(question),
                                            try_allowed=False))


def test_enable_scoping(client, world, question):
    assert_scoping(client, world, ScopeCase(url=reverse("questions:enable", args=[question.pk]), method="post",
                                            data={"enabled": "0"}, roles=CENTRAL, unchanged=_unchanged(question)))
    question.refresh_from_db()
    assert not question.is_enabled  # central's own request went through


def test_delete_scoping(client, world, question):
    assert_scoping(client, world, ScopeCase(url=reverse("questions:delete", args=[question.pk]), method="post",
                                            roles=CENTRAL, unchanged=_unchanged(question), try_allowed=False))


def test_areas_scoping(client, world, question):
    assert_scoping(client, world, ScopeCase(url=reverse("questions:areas"), roles=CENTRAL))
    assert_scoping(client, world, ScopeCase(url=reverse("questions:areas"), method="post",
                                            data={"name": "地区自建", "sort_order": 1}, roles=CENTRAL,
                                            try_allowed=False))
    assert not KnowledgeArea.objects.filter(name="地区自建").exists()


def test_area_edit_scoping(client, world, question):
    area = question.area
    assert_scoping(client, world, ScopeCase(url=reverse("questions:area_edit", args=[area.pk]), roles=CENTRAL))
    assert_scoping(client, world, ScopeCase(url=reverse("questions:area_edit", args=[area.pk]), method="post",
                                            data={"name": "改名", "sort_order": 1}, roles=CENTRAL, try_allowed=False))
    area.refresh_from_db()
    assert area.name == "有限空间作业"
