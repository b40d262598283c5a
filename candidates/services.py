"""Writes of candidate information (学员考核信息管理, the guide 三; SPEC.md §4; docs/decisions.md#roster-cutoff).

Every function runs in one transaction and writes its audit entry (before/after; audit_record
masks 证件号码 and 手机号码). Rules:
* add / modify / delete until 48 hours before the plan's start (plans.rules.assert_roster_writable,
  the guide 三: "在考核开始48小时之前，可以随时添加、修改和删除考生信息"); after it the roster is frozen
  for the region; central may still correct a record, with a reason (docs/decisions.md#roster-cutoff);
* a row is checked by the import's validator (candidates.importing.validation.validate_row), the
  one place where the rules of a candidate row live (STYLE.md 7);
* a deleted registration's 考生编号 stays retired: the plan's counter never goes back;
* revealing the full 证件号码 / 手机号码 and exporting full values are logged (GB/T 35273);
* the 考前测试 notice goes at most once per phone number per day (NoticeLog's unique constraint)."""

import datetime
from dataclasses import dataclass
from typing import IO

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record, model_snapshot
from core.errors import ApplicationError
from core.roles import Role
from core.scoping import assert_visible, require_role
from people.models import Person
from people.services import person_upsert_many
from plans.choices import AuditStatus
from plans.models import ExamPlan
from plans.rules import assert_roster_writable, roster_open

from .importing.services import NAME_MISMATCH_MESSAGE
from .importing.validation import ValidationContext, validate_row
from .models import NoticeLog, Registration, RegistrationDeletion

CONTACT_FIELDS = ["phone", "company_name", "credit_code"]
REG_FIELDS = ["plan", "candidate_number", "personnel_type", "cert_number", "cert_expiry", *CONTACT_FIELDS]
PERSON_FIELDS = ["name", "id_type", "id_number"]
STARTED_MESSAGE = "考试已开始，不能删除考生"
REASON_REQUIRED_MESSAGE = "名单已锁定（考核开始前 48 小时），部中心更正须填写原因"


class RowInvalid(ApplicationError):
    """The validator refused the row: `errors` (RowError list) name each column and reason."""

    def __init__(self, errors, warnings=()):
        first = errors[0]
        super().__init__(f"{first.column}：{first.message}", code="invalid_row")
        self.errors = list(errors)
        self.warnings = list(warnings)


def _snapshot(registration: Registration) -> dict:
    data = model_snapshot(registration, REG_FIELDS)
    data.update(model_snapshot(registration.person, PERSON_FIELDS))
    return data


def roster_change_reason_required(*, plan: ExamPlan, acting_user, now=None) -> bool:
    """Whether a change needs a written reason: only central's corrections after the freeze."""
    return acting_user.role == Role.CENTRAL and not (
        plan.audit_status == AuditStatus.APPROVED and roster_open(plan, now)
    )


def _assert_may_change(*, plan: ExamPlan, acting_user, reason: str, now=None) -> None:
    """The region follows the 48-hour rule (assert_roster_writable) in its own plans; central
    may correct after it with a reason; candidates never reach here (the views refuse them)."""
    require_role(acting_user, Role.CENTRAL, Role.REGIONAL)
    assert_visible(plan, acting_user)
    if acting_user.role == Role.REGIONAL:
        assert_roster_writable(plan, now)
        return
    if roster_change_reason_required(plan=plan, acting_user=acting_user, now=now) and not reason.strip():
        raise ApplicationError(REASON_REQUIRED_MESSAGE, field="reason")


def _validate(*, plan: ExamPlan, raw: dict):
    ctx = ValidationContext.for_plan(plan, raw_rows=[raw])
    result = validate_row(raw, ctx=ctx, row_number=1)
    if result.errors:
        raise RowInvalid(result.errors, result.warnings)
    return result


def _next_candidate_number(plan: ExamPlan) -> str:
    """考生编号 = 批次编号 + five-digit sequence from the plan's counter, taken under a row lock
    (SPEC.md §3). The counter only grows, so a deleted candidate's number is never reused."""
    locked = ExamPlan.all_objects.select_for_update().get(pk=plan.pk)
    locked.last_candidate_seq += 1
    ExamPlan.all_objects.filter(pk=plan.pk).update(last_candidate_seq=locked.last_candidate_seq)
    plan.last_candidate_seq = locked.last_candidate_seq
    return f"{plan.batch_no}{locked.last_candidate_seq:05d}"


NAME_ELSEWHERE_MESSAGE = "该考生在其他地区也有报名记录，姓名须由部中心更正"


def _refuse_name_mismatch() -> None:
    # the import's rule and wording; the registered name is not repeated (no "whose number is this?")
    raise ApplicationError(NAME_MISMATCH_MESSAGE.replace("未导入：", "未保存："), field="name")


def _person_for(cleaned: dict, *, acting_user, current: Person, plan: ExamPlan) -> tuple[Person, list]:
    """The person the corrected row designates (one person per 证件类型 + 证件号码, SPEC.md §3),
    and any warnings. Rules, so that one region's edit never rewrites another region's person:
    * the number belongs to another existing person: the import's rule (person_upsert_many):
      a different name is refused; nothing of that person changes (contact details are this
      registration's own, docs/decisions.md#registration-contact);
    * the number is new: a correction of the ID of a person known nowhere else (one registration,
      no account) changes that person in place; otherwise a new person is created;
    * the same person: a regional administrator may not rename a person who is also registered
      in another region (central may)."""
    id_type, number = cleaned["id_type"], cleaned["id_number"]
    person = Person.objects.select_for_update().filter(id_type=id_type, id_number=number).first()
    if person is not None and person.pk != current.pk:
        upsert = person_upsert_many(rows=[cleaned], acting_user=acting_user, region=plan.region_id,
                                    reason=f"修改考生信息（批次 {plan.batch_no}）")
        if upsert.name_mismatch:
            _refuse_name_mismatch()
        return Person.objects.get(pk=person.pk), []
    if person is None and not current.user_id and current.registrations.count() <= 1:
        person = Person.objects.select_for_update().get(pk=current.pk)
    if person is None:
        person = Person(id_type=id_type, id_number=number)
    if (person.pk and cleaned["name"] != person.name and acting_user.role != Role.CENTRAL
            and person.registrations.exclude(region_id=plan.region_id).exists()):
        raise ApplicationError(NAME_ELSEWHERE_MESSAGE, field="name")
    before = model_snapshot(person, PERSON_FIELDS) if person.pk else None
    person.name = cleaned["name"]
    person.id_type, person.id_number = id_type, number
    person.full_clean(validate_unique=False)
    after = model_snapshot(person, PERSON_FIELDS)
    if before != after:
        person.save()
        audit_record(actor=acting_user, action=Action.PERSON_UPDATE if before else Action.PERSON_CREATE, obj=person,
                     before=before, after=after, region=plan.region_id,
                     message=f"考生信息{'更新' if before else '新增'}：{person.name}")
    return person, []


def registration_create(*, plan: ExamPlan, raw: dict, acting_user, now: datetime.datetime | None = None
                        ) -> tuple[Registration, list]:
    """添加考生 (the guide 三): into an approved plan of the caller's scope until the 48-hour cutoff
    (for central too: adding is not a correction), the row checked by the import's validator.
    Returns the registration and the validator's warnings."""
    with transaction.atomic():
        plan = ExamPlan.objects.select_for_update().get(pk=plan.pk)
        require_role(acting_user, Role.CENTRAL, Role.REGIONAL)
        assert_visible(plan, acting_user)
        assert_roster_writable(plan, now)
        result = _validate(plan=plan, raw=raw)
        if result.already_registered:
            raise ApplicationError("该考生已在本考试批次中，不能重复添加", field="id_number")
        # the same person write as the import: created when new; the contact details are the registration's
        upsert = person_upsert_many(rows=[result.cleaned], acting_user=acting_user, region=plan.region_id,
                                    reason=f"添加考生（批次 {plan.batch_no}）")
        person = upsert.persons[result.key]
        warnings = list(result.warnings)
        if result.key in upsert.name_mismatch:
            _refuse_name_mismatch()
        registration = Registration(
            person=person, plan=plan, personnel_type=result.cleaned["personnel_type"],
            cert_number=result.cleaned["cert_number"], cert_expiry=result.cleaned["cert_expiry"],
            phone=result.cleaned["phone"], company_name=result.cleaned["company_name"],
            credit_code=result.cleaned["credit_code"], region=plan.region, exam_type=plan.exam_type, exam_year=plan.exam_date.year,
            candidate_number=_next_candidate_number(plan),
        )
        registration.save()
        audit_record(actor=acting_user, action=Action.REGISTRATION_CREATE, obj=registration, after=_snapshot(registration),
                     message=f"添加考生 {registration.candidate_number} {person.name}")
    return registration, warnings


def registration_update(*, registration: Registration, raw: dict, acting_user, reason: str = "",
                        now: datetime.datetime | None = None) -> tuple[Registration, list]:
    """修改考生信息: the region until the cutoff; central at any time, with a reason once the
    roster is frozen (docs/decisions.md#roster-cutoff). The row goes through the import's validator; changing the
    证件号码 to one already registered in this plan is refused."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().select_related("person", "plan").get(
            pk=registration.pk)
        # the plan row too, as adding and importing do: a concurrent import of the same person
        # waits, and "already in this plan" below sees its rows
        plan = ExamPlan.objects.select_for_update().get(pk=registration.plan_id)
        _assert_may_change(plan=plan, acting_user=acting_user, reason=reason, now=now)
        before = _snapshot(registration)
        result = _validate(plan=plan, raw=raw)
        current = registration.person
        same_person = result.key == (current.id_type_id, current.id_number)
        if result.already_registered and not same_person:
            raise ApplicationError("该证件号码的考生已在本考试批次中", field="id_number")
        person, person_warnings = _person_for(result.cleaned, acting_user=acting_user, current=current, plan=plan)
        registration.person = person
        registration.personnel_type = result.cleaned["personnel_type"]
        registration.cert_number = result.cleaned["cert_number"]
        registration.cert_expiry = result.cleaned["cert_expiry"]
        for name in CONTACT_FIELDS:
            setattr(registration, name, result.cleaned[name])
        registration.save()
        after = _snapshot(registration)
        if before != after:
            audit_record(actor=acting_user, action=Action.REGISTRATION_UPDATE, obj=registration, before=before,
                         after=after, reason=reason.strip(),
                         message=f"修改考生 {registration.candidate_number} {person.name}")
            # a 考前测试 confirmation of the old details no longer counts (docs/decisions.md#pretest)
            from exams.pretest_services import pretest_details_changed

            pretest_details_changed(registration=registration)
    return registration, [*result.warnings, *person_warnings]


def registration_delete(*, registration: Registration, acting_user, reason: str = "",
                        now: datetime.datetime | None = None) -> None:
    """删除考生: under the same rule as a change; never once the exam has started (its answers
    and score would lose their owner). The 考生编号 stays retired (the counter is untouched);
    the before-values stay in the audit log ("nothing is hard-deleted without a trace")."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().select_related("person", "plan").get(
            pk=registration.pk)
        plan = registration.plan
        if (now or timezone.now()) >= plan.starts_at:
            raise ApplicationError(STARTED_MESSAGE)
        _assert_may_change(plan=plan, acting_user=acting_user, reason=reason, now=now)
        before = _snapshot(registration)
        audit_record(actor=acting_user, action=Action.REGISTRATION_DELETE, obj=registration, before=before,
                     reason=reason.strip(),
                     message=f"删除考生 {registration.candidate_number} {registration.person.name}（考生编号不再使用）")
        RegistrationDeletion.objects.create(
            plan=plan, person_id=registration.person_id, region_id=registration.region_id,
            candidate_number=registration.candidate_number, deleted_by=acting_user, reason=reason.strip()[:500])
        registration.delete()


def registration_reveal(*, registration: Registration, acting_user) -> dict:
    """查看完整信息: the full 证件号码 and 手机号码 for the region's administrator and central;
    recorded in the audit log every time (GB/T 35273)."""
    require_role(acting_user, Role.CENTRAL, Role.REGIONAL)
    assert_visible(registration, acting_user)
    with transaction.atomic():
        audit_record(actor=acting_user, action=Action.REGISTRATION_REVEAL, obj=registration,
                     message=f"查看完整证件号码和手机号码：{registration.candidate_number}")
    return {"id_number": registration.person.id_number, "phone": registration.phone}


def export_region(filters: dict):
    """The region an export concerns, for the audit log: the region filter, or the plan's; a
    regional administrator's own region otherwise (audit_record's default)."""
    if filters.get("region"):
        return filters["region"]
    plan = filters.get("plan")
    return getattr(plan, "region", None)


def registration_export_record(*, acting_user, filters: dict, count: int, full: bool, part: int | None,
                               region=None) -> None:
    """Record an export of the candidate list: who, which filters, how many rows, and whether
    full 证件号码/手机号码 left the system (docs/decisions.md#list-export: full ones logged)."""
    described = {k: (getattr(v, "pk", v)) for k, v in filters.items() if not k.startswith("_")}
    what = f"第 {part} 批" if part else "全部"
    with transaction.atomic():
        audit_record(
            actor=acting_user, action=Action.REGISTRATION_EXPORT_FULL if full else Action.REGISTRATION_EXPORT,
            region=region if region is not None else getattr(acting_user, "region", None),
            object_type=Registration._meta.label, object_repr=f"学员考核信息导出（{what}，{count} 条）",
            after={"filters": described, "rows": count, "part": part, "full_values": full},
            message=f"导出学员考核信息 {what} {count} 条" + ("（含完整证件号码和手机号码）" if full else "（已脱敏）"),
        )


# One part of the export (导出第N批); up to EXPORT_SYNC_LIMIT rows the whole list is written during
# the request and streamed back, above it a background job writes it while the user watches its
# progress (SPEC.md §4).
EXPORT_PART_SIZE = 5000
EXPORT_SYNC_LIMIT = 20000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class RegistrationExport:
    """What registration_export produced: a written file, or the job that will write it."""

    handle: IO | None = None
    filename: str = ""
    job: object | None = None


def registration_export(*, query: str, part: int | None, full: bool, acting_user) -> RegistrationExport:
    """导出 the candidate list exactly as the page shows it (SPEC.md §4): the page's query string
    is parsed by the list's one filter definition (candidates.forms.CandidateFilterForm) under
    the exporter's scope, so the file holds the rows of the filtered screen, across its pages, in
    its order. An invalid filter is refused (core.filters.InvalidFilter) and nothing is written.

    `part`: one part of EXPORT_PART_SIZE rows (a part past the end is refused); otherwise the
    whole list, written now up to EXPORT_SYNC_LIMIT rows, and above it by a background job
    (candidates.notices.run_export) that parses the same query string again. A written file is
    recorded (registration_export_record); the job records it once its file exists."""
    from django.http import QueryDict

    from . import exports
    from .forms import CandidateFilterForm
    from .selectors import registration_export_values

    form = CandidateFilterForm(QueryDict(query), user=acting_user)
    filters = form.filters()
    qs = form.rows()
    total = qs.count()
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    if part:
        start = (part - 1) * EXPORT_PART_SIZE
        if start >= max(total, 1):
            raise ApplicationError(f"没有第 {part} 批：当前条件共 {total} 条，每批 {EXPORT_PART_SIZE} 条")
        values = registration_export_values(qs)[start:start + EXPORT_PART_SIZE]
    elif total > EXPORT_SYNC_LIMIT:
        from jobs.services import job_create, job_enqueue

        job = job_create(kind="candidates.export", title=f"导出学员考核信息（{total} 条）",
                         acting_user=acting_user, region=acting_user.region, total=total)
        job_enqueue(job, "candidates.notices:run_export", user_id=acting_user.pk, query=query, full=full)
        return RegistrationExport(job=job)
    else:
        values = registration_export_values(qs)
    handle, written = exports.registrations_tempfile(values, full=full)
    registration_export_record(acting_user=acting_user, filters=filters, count=written, full=full, part=part,
                               region=export_region(filters))
    return RegistrationExport(handle=handle, filename=exports.export_filename(filters, full=full, stamp=stamp,
                                                                               part=part))


NOTICE_TEMPLATE = "exam_notice"


def plan_notice_assert_allowed(*, plan: ExamPlan, now: datetime.datetime | None = None) -> None:
    """The 考前测试 notice (the guide 三: 通知考生提前登录考核系统进行考前测试) is for an approved
    plan whose exam has not started yet."""
    if plan.audit_status != AuditStatus.APPROVED:
        raise ApplicationError("该考核计划尚未审核通过，不能发送考前测试通知")
    if (now or timezone.now()) >= plan.starts_at:
        raise ApplicationError("考试已开始，不再发送考前测试通知")


# who a plan's 考前测试 notice goes to: every candidate, or those who have not passed the
# 考前测试 yet (docs/decisions.md#pretest: sent from the plan's 考前测试 page)
NOTICE_AUDIENCES = {"all": "全部考生", "pretest_pending": "未通过或未参加考前测试的考生"}


def plan_notice_start(*, plan: ExamPlan, acting_user, audience: str = "all", now: datetime.datetime | None = None):
    """发送考前测试通知 for a whole plan, or only to those who have not passed the 考前测试
    (`audience="pretest_pending"`, until it closes 48 hours before the start), as a background
    job with progress (docs/decisions.md#pretest-notice). Returns the job; candidates.notices.run_plan_notice does the
    sending (and reads the audience again when it runs)."""
    from jobs.services import job_create, job_enqueue

    from .notices import plan_notice_recipients_count

    if audience not in NOTICE_AUDIENCES:
        raise ApplicationError("通知对象不正确")
    plan_notice_assert_allowed(plan=plan, now=now)
    if audience == "pretest_pending":
        from exams.pretest_services import pretest_closes_at

        if (now or timezone.now()) >= pretest_closes_at(plan):
            closes = timezone.localtime(pretest_closes_at(plan))
            raise ApplicationError(f"考前测试已于 {closes:%Y-%m-%d %H:%M} 截止，不再发送考前测试通知")
    if not Registration.objects.filter(plan=plan).exists():
        raise ApplicationError("该考试批次还没有考生")
    total = plan_notice_recipients_count(plan=plan, audience=audience)
    if not total:
        raise ApplicationError("所有考生均已通过考前测试，无需通知")
    who = NOTICE_AUDIENCES[audience]
    with transaction.atomic():
        job = job_create(kind="candidates.notice", title=f"发送考前测试通知：批次 {plan.batch_no}（{who}）",
                         acting_user=acting_user, region=plan.region, total=total)
        audit_record(actor=acting_user, action=Action.PLAN_NOTICE, obj=plan, after={"audience": audience, "total": total},
                     message=f"发送考前测试通知：批次 {plan.batch_no}，{who} {total} 名")
        job_enqueue(job, "candidates.notices:run_plan_notice", plan_id=plan.pk, user_id=acting_user.pk,
                    audience=audience)
    return job


def phone_notice_send(*, phone: str, registrations: list[Registration], acting_user, today: datetime.date,
                      job=None) -> str:
    """Text one phone number the 考前测试 notice for the registrations of one plan that share it,
    unless that number already had one today (for any plan). One SMS per number and day (docs/decisions.md#pretest-notice);
    when several candidates share the number it names the first "等 N 人". Returns "sent",
    "skipped" (the unique (phone, date) row exists) or "failed" (the SMS could not be recorded,
    e.g. an unusable phone number; nothing is kept)."""
    from sms.services import send_sms

    first = registrations[0]
    plan = first.plan
    name = first.person.name if len(registrations) == 1 else f"{first.person.name}等{len(registrations)}人"
    try:
        with transaction.atomic():
            NoticeLog.objects.create(registration=first, person_id=first.person_id, phone=phone, date=today,
                                     sent_by=acting_user, job=job)
            send_sms(phone=phone, template=NOTICE_TEMPLATE, acting_user=acting_user, params={
                "name": name, "batch_no": plan.batch_no,
                "exam_date": f"{plan.exam_date:%Y-%m-%d}", "start_time": f"{plan.start_time:%H:%M}",
            })
    except IntegrityError:
        return "skipped"
    except ApplicationError:
        return "failed"
    return "sent"


def plan_notice_finish_record(*, plan: ExamPlan, acting_user, counts: dict) -> None:
    with transaction.atomic():
        audit_record(actor=acting_user, action=Action.PLAN_NOTICE_DONE, obj=plan, after=counts,
                     message=f"考前测试通知完成：批次 {plan.batch_no}，{notice_summary(counts)}")


def notice_summary(counts: dict) -> str:
    """The notice job's outcome in words; counts are candidates, `sms` the messages sent."""
    text = f"已通知 {counts['sent']} 名考生，发送短信 {counts.get('sms', 0)} 条（同一手机号码每天只发一条）"
    if counts["skipped"]:
        text += f"，今日已通知而跳过 {counts['skipped']} 名"
    if counts.get("suspended"):
        text += f"，停考（黑名单处罚期内）未通知 {counts['suspended']} 名"
    if counts["failed"]:
        text += f"，手机号码无法使用而失败 {counts['failed']} 名"
    return text
