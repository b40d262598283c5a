from django import template

register = template.Library()


@register.inclusion_tag("answercards/_plan_panel.html", takes_context=True)
def plan_answercards(context, plan):
    """The plan page's 答题卡考试 panel for a 新取证(线下) plan: rooms, cards, the link."""
    from plans.choices import ExamType

    if plan.exam_type != ExamType.NEW_OFFLINE:
        return {"show": False}
    from answercards.selectors import plan_overview

    return {"show": True, "plan": plan, "overview": plan_overview(plan)}
