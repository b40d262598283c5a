import pytest
from django.urls import reverse

from core.menu import menu_for
from questions.models import Question
from questions.tests.factories import make_question

pytestmark = pytest.mark.django_db


def _form(area_pk, **over):
    data = {"code": "GX-0001", "qtype": "single", "stem": "动火作业前必须办理（ ）。", "option_0": "动火许可证",
            "option_1": "出入证", "option_2": "工作票", "answer": "A", "explanation": "动火须审批。", "area": area_pk,
            "personnel_types": ["B", "C"], "exam_types": ["new_online", "new_offline"], "difficulty": "2"}
    data.update(over)
    return data


def test_menu_shows_the_bank_to_central_only(world):
    assert {"题库管理", "组卷规则"} <= {i["label"] for i in menu_for(world.central)}
    for user in (world.admin_a, world.candidate):
        assert not {"题库管理", "组卷规则"} & {i["label"] for i in menu_for(user)}


def test_add_question_through_the_form(client, world):
    area = make_question(world.central, "GX-0000", area="动火作业").area
    client.force_login(world.central)
    response = client.post(reverse("questions:add"), _form(area.pk))
    q = Question.objects.get(code="GX-0001")
    assert response.status_code == 302 and q.personnel_types == "BC" and q.current_version.options[0] == "动火许可证"


def test_bad_answer_is_shown_beside_the_field_and_saves_nothing(client, world):
    area = make_question(world.central, "GX-0000", area="动火作业").area
    client.force_login(world.central)
    response = client.post(reverse("questions:add"), _form(area.pk, answer="D"))
    assert response.status_code == 200
    assert "答案“D”含有不存在的选项 D" in response.content.decode()
    assert not Question.objects.filter(code="GX-0001").exists()


def test_edit_content_says_new_version(client, world):
    q = make_question(world.central, "GX-0002", area="动火作业")
    client.force_login(world.central)
    response = client.post(reverse("questions:edit", args=[q.pk]),
                           _form(q.area_id, code="ignored", stem="新的题干（ ）。"), follow=True)
    q.refresh_from_db()
    assert q.code == "GX-0002" and q.current_version.number == 2
    assert "已生成新版本 v2" in response.content.decode()
    detail = client.get(reverse("questions:detail", args=[q.pk])).content.decode()
    assert 'data-testid="version-1"' in detail and 'data-testid="version-2"' in detail


def test_list_filters_and_demo_mark(client, world):
    from questions.services import question_upsert
    from questions.tests.factories import question_raw
    from questions.validation import clean_question

    make_question(world.central, "GX-0003", area="动火作业")
    question_upsert(data=clean_question(question_raw("DEMO-0001", area="高处作业", qtype="judge")),
                    acting_user=world.central, is_demo=True, create_area=True)
    client.force_login(world.central)
    page = client.get(reverse("questions:list"), {"qtype": "judge"}).content.decode()
    assert "DEMO-0001" in page and "GX-0003" not in page and "演示题库" in page
    page = client.get(reverse("questions:list"), {"q": "GX-0003"}).content.decode()
    assert "GX-0003" in page and "DEMO-0001" not in page
