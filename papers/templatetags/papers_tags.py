from django import template

register = template.Library()


@register.inclusion_tag("papers/_plan_status.html", takes_context=True)
def plan_papers(context, plan):
    """The plan page's 试卷 panel (试卷已生成 N / M and rule warnings), read-only; it polls
    papers:plan_status while papers are due and missing."""
    from papers.views import _status_context

    return _status_context(context["request"], plan)
