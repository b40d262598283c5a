from papers.services import RuleInput, rule_create
from questions.choices import QuestionType
from questions.models import KnowledgeArea


def rule_input(*, name="新取证 A 类", exam_type="new_online", personnel_types="A", per_cell=2, areas=None,
               points=None, pass_mark=None, cells=None, partial_multiple=False) -> RuleInput:
    areas = areas if areas is not None else list(KnowledgeArea.objects.order_by("sort_order", "id"))
    cells = cells if cells is not None else [(a.pk, q, per_cell) for a in areas for q in QuestionType.values]
    points = points or {"single": "1", "multiple": "2", "judge": "1"}
    total = sum(float(points[q]) * c for _a, q, c in cells)
    return RuleInput(name=name, exam_type=exam_type, personnel_types=personnel_types, points=points,
                     pass_mark=pass_mark if pass_mark is not None else round(total * 0.6), cells=cells,
                     partial_multiple=partial_multiple)


def make_rule(central, **kwargs):
    return rule_create(data=rule_input(**kwargs), acting_user=central)
