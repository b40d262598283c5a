"""Printing: the rosters and door lists of a plan (a background job with progress per room, the
file for the one who asked), one room's roster, a version's booklet, a version's key (central
only). Every document printed is audited (answercards.services.print_record)."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core.errors import ApplicationError
from core.roles import Role
from core.scoping import require_role

from . import pdfs
from .models import ExamRoom, PaperVersion
from .services import assert_card_staff, card_plan_get, print_record

KINDS = {"roster": ("考场签到表", pdfs.roster_pdf), "doors": ("考场门贴", pdfs.doors_pdf)}


def _seated(plan):
    card_plan = card_plan_get(plan)
    if card_plan.pk is None or not card_plan.seated_at:
        raise ApplicationError("该计划尚未生成考场")
    return card_plan


def print_enqueue(*, plan, what: str, acting_user):
    """Start building the plan's rosters or door lists in the background; returns the job."""
    from jobs.services import job_create, job_enqueue

    assert_card_staff(acting_user, plan)
    if what not in KINDS:
        raise ApplicationError("不支持的打印内容")
    _seated(plan)
    rooms = ExamRoom.objects.filter(plan=plan).count()
    job = job_create(kind=f"answercards.print_{what}", title=f"生成{KINDS[what][0]}（批次 {plan.batch_no}）",
                     acting_user=acting_user, region=plan.region, total=rooms)
    return job_enqueue(job, "answercards.printing:print_job", plan_id=plan.pk, what=what, user_id=acting_user.pk)


def print_job(*, job, plan_id: int, what: str, user_id: int) -> None:
    from accounts.models import User
    from jobs.services import job_finish, job_progress
    from plans.models import ExamPlan

    plan = ExamPlan.objects.select_related("region").get(pk=plan_id)
    user = User.objects.get(pk=user_id)
    assert_card_staff(user, plan)
    card_plan = _seated(plan)
    rooms = list(ExamRoom.objects.filter(plan=plan).order_by("number"))
    label, build = KINDS[what]
    job_progress(job, done=0, total=len(rooms), message=f"正在生成{label}")
    content = build(plan, card_plan, rooms, progress=lambda n: job_progress(job, done=n, message=f"正在生成{label}"))
    name = default_storage.save(f"jobs/answercards/{job.pk}.pdf", ContentFile(content))
    print_record(plan=plan, what=what, acting_user=user, detail=f"：{len(rooms)} 个考场")
    job_finish(job, file_path=name, filename=f"{plan.batch_no}_{label}.pdf", message=f"{len(rooms)} 个考场",
               result={"rooms": len(rooms)})


def room_roster_bytes(*, room: ExamRoom, acting_user) -> bytes:
    plan = room.plan
    assert_card_staff(acting_user, plan)
    content = pdfs.roster_pdf(plan, _seated(plan), [room])
    print_record(plan=plan, what="roster", acting_user=acting_user, detail=f"：{room.name}")
    return content


def _version_payload(version: PaperVersion):
    from papers.selectors import paper_from_seed, paper_view, plan_draws

    draw = plan_draws(version.plan).get(version.personnel_type)
    if draw is None:
        raise ApplicationError("该试卷版本的抽题底稿不存在")
    paper = paper_from_seed(draw=draw, seed=version.seed)
    return paper, paper_view(paper)


def booklet_bytes(*, version: PaperVersion, acting_user) -> bytes:
    """试卷题本 of a version: the plan's 管局 prints it for the exam room (questions and options,
    never the answers)."""
    plan = version.plan
    assert_card_staff(acting_user, plan)
    paper, payload = _version_payload(version)
    content = pdfs.booklet_pdf(plan, _seated(plan), version, payload, pass_mark=paper.pass_mark)
    print_record(plan=plan, what="booklet", acting_user=acting_user,
                 detail=f"：{version.personnel_type} 类 {version.letter} 卷")
    return content


def key_bytes(*, version: PaperVersion, acting_user) -> bytes:
    """试卷答案 of a version: central's only (docs/decisions.md#card-versions); a 管局 is refused."""
    require_role(acting_user, Role.CENTRAL, message="试卷答案仅部中心可以查看")
    plan = version.plan
    _paper, payload = _version_payload(version)
    content = pdfs.key_pdf(plan, version, payload)
    print_record(plan=plan, what="key", acting_user=acting_user,
                 detail=f"：{version.personnel_type} 类 {version.letter} 卷")
    return content
