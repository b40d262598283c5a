import io
from collections import Counter

import pytest

from papers import demo as papers_demo
from papers.choices import CellStatus
from papers.models import PaperRule
from papers.selectors import rule_report
from questions import demo
from questions.models import KnowledgeArea, Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(world):
    demo.load(io.StringIO())
    papers_demo.load(io.StringIO())


def test_demo_bank_loads_through_the_service_once(loaded):
    assert Question.objects.count() == 300 and Question.objects.filter(is_demo=False).count() == 0
    assert KnowledgeArea.objects.count() == 12
    assert Counter(Question.objects.values_list("qtype", flat=True)).keys() == {"single", "multiple", "judge"}
    line = demo.load(io.StringIO())[0]
    assert "新增 0" in line and "已存在 300" in line


def test_default_rules_are_satisfied_with_variety(loaded):
    rules = list(PaperRule.objects.all())
    assert len(rules) == 7 and all(r.is_demo for r in rules)
    shared = PaperRule.objects.get(exam_type="continuing_online")
    assert shared.personnel_types == "ABC"
    assert sorted(PaperRule.objects.filter(exam_type="new_online").values_list("personnel_types", flat=True)) == [
        "A", "B", "C"]
    blueprints = set()
    for rule in rules:
        assert rule.total_points == 100 and rule.pass_mark == 60
        report = rule_report(rule)
        assert report.status == CellStatus.OK, [(c.area_name, c.qtype, c.need, c.available) for c in report.cells
                                                 if c.status != CellStatus.OK]
        blueprints.add(tuple((c.area_id, c.qtype, c.need) for c in report.cells))
    assert len(blueprints) >= 4  # 继续教育 and the three 新取证 types differ (线上/线下 alike)
    assert "本次新建 0" in papers_demo.load(io.StringIO())[0]


def test_pages_showing_demo_questions_say_so(client, world, loaded):
    from django.urls import reverse

    from papers.models import PaperRule
    from questions.models import Question

    client.force_login(world.central)
    rule = PaperRule.objects.get(exam_type="continuing_online")
    q = Question.objects.first()
    for url in (reverse("questions:list"), reverse("questions:detail", args=[q.pk]),
                reverse("questions:edit", args=[q.pk]), reverse("papers:rules"),
                reverse("papers:rule_detail", args=[rule.pk]), reverse("papers:rule_preview", args=[rule.pk])):
        assert 'data-testid="demo-mark"' in client.get(url).content.decode(), url
