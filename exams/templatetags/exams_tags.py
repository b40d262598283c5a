from django import template

register = template.Library()


@register.inclusion_tag("exams/_plan_exam.html", takes_context=True)
def plan_exam(context, plan):
    """The plan page's 考前测试与考试 panel: the 考前测试 counts and links to the plan's 考前测试,
    monitor and (centralized plans) 考点网络."""
    from exams import pretest_selectors, pretest_services, services

    user = context["request"].user
    applies = pretest_services.pretest_applies(plan)
    return {"plan": plan, "applies": applies,
            "counts": pretest_selectors.pretest_counts(plan=plan, fetched_by=user) if applies else {},
            "closes_at": pretest_services.pretest_closes_at(plan), "centralized": plan.exam_type == "new_online",
            "networks": services.entry_networks(plan) if plan.exam_type == "new_online" else []}


@register.inclusion_tag("exams/_pretest_admin.html", takes_context=True)
def registration_pretest(context, reg):
    """The candidate page's 考前测试 section for the 管局 and central: each part, a report of
    wrong details and the form to mark it handled."""
    from core.masking import mask_text
    from core.roles import Role
    from exams import pretest_selectors, pretest_services
    from exams.choices import INFO_FIELD_LABELS, InfoResolution

    user = context["request"].user
    pretest = pretest_selectors.pretest_of(reg)
    may_resolve = user.role == Role.CENTRAL or pretest_services.pretest_is_open(reg.plan)
    return {"reg": reg, "pretest": pretest, "applies": pretest_services.pretest_applies(reg.plan),
            "device": pretest_selectors.latest_device_check(pretest),
            "closes_at": pretest_services.pretest_closes_at(reg.plan),
            "fields": [INFO_FIELD_LABELS.get(f, f) for f in (pretest.info_fields if pretest else [])],
            "resolutions": InfoResolution.choices, "may_resolve": may_resolve,
            # numbers inside the candidate's note are masked like every other one on the page;
            # 查看完整信息 (logged) shows the note in full (pretest_note_full)
            "note": mask_text(pretest.info_note) if pretest else ""}


@register.simple_tag
def pretest_note_full(reg) -> str:
    """The candidate's 考前测试 report note in full, for the logged 查看完整信息 only."""
    from exams import pretest_selectors

    pretest = pretest_selectors.pretest_of(reg)
    return pretest.info_note if pretest and pretest.info_reported_at else ""
