import pytest
from django.urls import reverse

from papers.models import PaperRule
from papers.services import papers_generate
from papers.tests.factories import make_rule
from questions.models import KnowledgeArea

pytestmark = pytest.mark.django_db


def _rule_post(areas, **over):
    data = {"name": "新取证 C 类", "exam_type": "new_online", "personnel_types": ["C"], "points_single": "1",
            "points_multiple": "2", "points_judge": "1", "pass_mark": "6"}
    for area in areas:
        data[f"cell_{area.pk}_single"] = 2
        data[f"cell_{area.pk}_judge"] = 1
    data.update(over)
    return data


def test_create_rule_and_see_a_short_cell(client, world, bank):
    areas = list(KnowledgeArea.objects.order_by("sort_order"))
    client.force_login(world.central)
    response = client.post(reverse("papers:rule_add"), _rule_post(areas, **{f"cell_{areas[0].pk}_multiple": 8}))
    rule = PaperRule.objects.get()
    assert response.status_code == 302 and rule.total_points == 2 * (2 + 1) + 16
    page = client.get(reverse("papers:rule_detail", args=[rule.pk])).content.decode()
    assert "题量不足" in page and "多选题需要 8 题，启用的试题仅 6 题" in page
    assert f'data-testid="cell-{areas[0].pk}-multiple"' in page


def test_rule_form_errors_save_nothing(client, world, bank):
    areas = list(KnowledgeArea.objects.all())
    client.force_login(world.central)
    page = client.post(reverse("papers:rule_add"), _rule_post(areas, pass_mark="99")).content.decode()
    assert "合格分数线应大于 0 且不超过总分 6" in page and not PaperRule.objects.exists()
    page = client.post(reverse("papers:rule_add"), _rule_post([])).content.decode()
    assert "组卷结构至少需要一道题" in page


def test_stale_rule_edit_is_refused(client, world, bank):
    rule = make_rule(world.central)
    areas = list(KnowledgeArea.objects.all())
    client.force_login(world.central)
    page = client.post(reverse("papers:rule_edit", args=[rule.pk]),
                       _rule_post(areas, personnel_types=["A"], revision=rule.revision - 1 + 5)).content.decode()
    assert "规则已被他人修改" in page


def test_rule_preview_shows_the_key_only_when_asked(client, world, bank):
    rule = make_rule(world.central)
    client.force_login(world.central)
    page = client.get(reverse("papers:rule_preview", args=[rule.pk]), {"seed": 7}).content.decode()
    assert 'data-testid="paper-q-12"' in page and 'data-testid="paper-key-1"' in page
    again = client.get(reverse("papers:rule_preview", args=[rule.pk]), {"seed": 7, "answers": "0"}).content.decode()
    assert 'data-testid="paper-q-12"' in again and "paper-key-" not in again and "解析" not in again


def test_registration_paper_page(client, world, rules, registrations, frozen_plan):
    client.force_login(world.central)
    url = reverse("papers:registration_paper", args=[registrations[0].pk])
    assert 'data-testid="no-paper"' in client.get(url).content.decode()
    papers_generate(plan=frozen_plan)
    page = client.get(url).content.decode()
    assert 'data-testid="paper-key-1"' in page
    assert "paper-key-" not in client.get(url, {"answers": "0"}).content.decode()


def test_plan_page_shows_progress_and_warnings(client, world, bank, registrations, frozen_plan):
    make_rule(world.central, personnel_types="AB")
    url = reverse("plans:detail", args=[frozen_plan.pk])
    client.force_login(world.central)
    page = client.get(url).content.decode()
    assert "试卷已生成 0 / 5" in page and "C 类：新取证(线上)尚未配置组卷规则" in page
    papers_generate(plan=frozen_plan)
    assert "试卷已生成 4 / 5" in client.get(url).content.decode()
    client.force_login(world.admin_a)
    page = client.get(url).content.decode()
    assert "试卷已生成 4 / 5" in page and "尚未配置组卷规则" not in page and "部分考生的试卷暂不能生成" in page
