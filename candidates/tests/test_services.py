"""Add / modify / delete of a candidate (docs/decisions.md#registration-edit): the import's validator, the 48-hour
freeze for the region, central's corrections with a reason, retired 考生编号, audit before/after."""

import datetime

import pytest
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditLog
from candidates import services
from candidates.models import Registration
from candidates.tests.factories import RegistrationFactory
from core.errors import ApplicationError
from people.models import Person
from people.tests.factories import make_resident_id
from plans.choices import AuditStatus, ExamType
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db


def raw(**overrides):
    row = {"name": "李四", "id_type": "1", "id_number": make_resident_id(77), "phone": "13812345678",
           "company_name": "北京某通信工程有限公司", "credit_code": "91110108551385082Q", "personnel_type": "B",
           "cert_number": "", "cert_expiry": ""}
    row.update(overrides)
    return row


@pytest.fixture
def plan(world):
    return ExamPlanFactory(region=world.region_a)


@pytest.fixture
def frozen_plan(world):
    # starts in 47 hours: inside the 48-hour freeze
    start = timezone.localtime() + datetime.timedelta(hours=47)
    return ExamPlanFactory(region=world.region_a, exam_date=start.date(), start_time=start.time().replace(
        second=0, microsecond=0))


def test_create_assigns_number_and_audits(world, plan):
    registration, warnings = services.registration_create(plan=plan, raw=raw(), acting_user=world.admin_a)
    assert registration.candidate_number == f"{plan.batch_no}00001"
    assert registration.region == plan.region and registration.exam_year == plan.exam_date.year
    entry = AuditLog.objects.get(action=Action.REGISTRATION_CREATE, object_id=str(registration.pk))
    assert entry.after["candidate_number"] == registration.candidate_number
    assert entry.after["id_number"] != registration.person.id_number  # masked in the log
    assert warnings == []


def test_create_refuses_invalid_row_and_changes_nothing(world, plan):
    with pytest.raises(services.RowInvalid) as exc:
        services.registration_create(plan=plan, raw=raw(id_number="110105198506010013", phone="12345"),
                                     acting_user=world.admin_a)
    columns = {e.column for e in exc.value.errors}
    assert {"证件号码", "手机号码"} <= columns
    assert not Registration.objects.exists() and not Person.objects.exists()
    plan.refresh_from_db()
    assert plan.last_candidate_seq == 0


def test_create_needs_certificate_for_continuing_education(world):
    plan = ExamPlanFactory(region=world.region_a, exam_type=ExamType.CONTINUING_ONLINE)
    with pytest.raises(services.RowInvalid) as exc:
        services.registration_create(plan=plan, raw=raw(), acting_user=world.admin_a)
    assert "证书编号" in {e.column for e in exc.value.errors}


def test_create_refuses_the_same_person_twice_in_a_plan(world, plan):
    services.registration_create(plan=plan, raw=raw(), acting_user=world.admin_a)
    with pytest.raises(ApplicationError, match="已在本考试批次"):
        services.registration_create(plan=plan, raw=raw(), acting_user=world.admin_a)
    assert Registration.objects.count() == 1


def test_create_refused_after_cutoff_even_for_central(world, frozen_plan):
    for user in (world.admin_a, world.central):
        with pytest.raises(ApplicationError, match="已锁定"):
            services.registration_create(plan=frozen_plan, raw=raw(), acting_user=user)
    assert not Registration.objects.exists()


def test_create_refused_for_unapproved_plan(world):
    plan = ExamPlanFactory(region=world.region_a, audit_status=AuditStatus.PENDING)
    with pytest.raises(ApplicationError, match="尚未审核通过"):
        services.registration_create(plan=plan, raw=raw(), acting_user=world.admin_a)


def test_update_by_region_before_cutoff_with_before_after(world, plan):
    reg = RegistrationFactory(plan=plan, person__name="王五")
    data = raw(name="王武", id_number=reg.person.id_number, personnel_type="C")
    services.registration_update(registration=reg, raw=data, acting_user=world.admin_a)
    reg.refresh_from_db()
    assert reg.person.name == "王武" and reg.personnel_type == "C"
    entry = AuditLog.objects.get(action=Action.REGISTRATION_UPDATE, object_id=str(reg.pk))
    assert entry.before["name"] == "王五" and entry.after["name"] == "王武"
    assert entry.before["personnel_type"] == "A" and entry.after["personnel_type"] == "C"


def test_update_frozen_for_region(world, frozen_plan):
    reg = RegistrationFactory(plan=frozen_plan, person__name="王五")
    with pytest.raises(ApplicationError, match="已锁定"):
        services.registration_update(registration=reg, raw=raw(id_number=reg.person.id_number),
                                     acting_user=world.admin_a)
    reg.refresh_from_db()
    assert reg.person.name == "王五"
    assert not AuditLog.objects.filter(action=Action.REGISTRATION_UPDATE).exists()


def test_central_corrects_after_cutoff_only_with_reason(world, frozen_plan):
    reg = RegistrationFactory(plan=frozen_plan, person__name="王五")
    data = raw(name="王武", id_number=reg.person.id_number)
    with pytest.raises(ApplicationError) as exc:
        services.registration_update(registration=reg, raw=data, acting_user=world.central, reason="  ")
    assert exc.value.field == "reason"
    reg.refresh_from_db()
    assert reg.person.name == "王五"
    services.registration_update(registration=reg, raw=data, acting_user=world.central, reason="考生姓名录入错误")
    reg.refresh_from_db()
    assert reg.person.name == "王武"
    entry = AuditLog.objects.get(action=Action.REGISTRATION_UPDATE, object_id=str(reg.pk))
    assert entry.reason == "考生姓名录入错误" and entry.actor == world.central


def test_update_to_an_id_already_in_the_plan_is_refused(world, plan):
    first = RegistrationFactory(plan=plan)
    second = RegistrationFactory(plan=plan)
    with pytest.raises(ApplicationError, match="已在本考试批次"):
        services.registration_update(registration=second, raw=raw(id_number=first.person.id_number),
                                     acting_user=world.admin_a)
    second.refresh_from_db()
    assert second.person_id != first.person_id


def test_correcting_the_id_of_a_person_registered_elsewhere_keeps_the_other_registration(world, plan):
    other_plan = ExamPlanFactory(region=world.region_b)
    reg = RegistrationFactory(plan=plan)
    elsewhere = RegistrationFactory(plan=other_plan, person=reg.person)
    old_number = reg.person.id_number
    services.registration_update(registration=reg, raw=raw(id_number=make_resident_id(501)),
                                 acting_user=world.admin_a)
    reg.refresh_from_db()
    elsewhere.refresh_from_db()
    assert reg.person.id_number == make_resident_id(501)
    assert elsewhere.person.id_number == old_number  # the other region's person is untouched


def test_delete_retires_the_number(world, plan):
    reg, _ = services.registration_create(plan=plan, raw=raw(), acting_user=world.admin_a)
    number = reg.candidate_number
    services.registration_delete(registration=reg, acting_user=world.admin_a)
    assert not Registration.objects.filter(pk=reg.pk).exists()
    entry = AuditLog.objects.get(action=Action.REGISTRATION_DELETE, object_id=str(reg.pk))
    assert entry.before["candidate_number"] == number
    again, _ = services.registration_create(plan=plan, raw=raw(), acting_user=world.admin_a)
    assert again.candidate_number != number and again.candidate_number == f"{plan.batch_no}00002"


def test_delete_frozen_for_region_and_needs_reason_for_central(world, frozen_plan):
    reg = RegistrationFactory(plan=frozen_plan)
    with pytest.raises(ApplicationError, match="已锁定"):
        services.registration_delete(registration=reg, acting_user=world.admin_a)
    with pytest.raises(ApplicationError):
        services.registration_delete(registration=reg, acting_user=world.central)
    assert Registration.objects.filter(pk=reg.pk).exists()
    services.registration_delete(registration=reg, acting_user=world.central, reason="重复报名")
    assert not Registration.objects.filter(pk=reg.pk).exists()


def test_delete_refused_once_the_exam_started(world, plan):
    reg = RegistrationFactory(plan=plan)
    with pytest.raises(ApplicationError, match="考试已开始"):
        services.registration_delete(registration=reg, acting_user=world.central, reason="x",
                                     now=plan.starts_at + datetime.timedelta(minutes=1))
    assert Registration.objects.filter(pk=reg.pk).exists()


def test_reveal_is_logged_each_time(world, plan):
    reg = RegistrationFactory(plan=plan)
    for _ in range(2):
        values = services.registration_reveal(registration=reg, acting_user=world.admin_a)
    assert values == {"id_number": reg.person.id_number, "phone": reg.phone}
    assert AuditLog.objects.filter(action=Action.REGISTRATION_REVEAL, object_id=str(reg.pk)).count() == 2


def test_blacklisted_person_cannot_be_added(world, plan):
    from blacklist.tests.factories import make_entry

    number = make_resident_id(88)
    make_entry(central=world.central, region=world.region_a, id_number=number, name="李四")
    with pytest.raises(services.RowInvalid) as exc:
        services.registration_create(plan=plan, raw=raw(id_number=number), acting_user=world.admin_a)
    assert "黑名单" in exc.value.errors[0].message


def test_an_edit_never_rewrites_another_regions_person(world, plan):
    """Region A types the number of a person registered only in region B with another name:
    refused, B's person untouched, the registered name not shown."""
    theirs = RegistrationFactory(plan=ExamPlanFactory(region=world.region_b))
    wang = theirs.person
    before = type(wang).objects.values().get(pk=wang.pk)
    reg = RegistrationFactory(plan=plan)
    with pytest.raises(ApplicationError, match="姓名与系统中该证件号码登记的姓名不一致") as exc:
        services.registration_update(registration=reg, raw=raw(id_number=wang.id_number, name="张三",
                                                               phone="13900009999"), acting_user=world.admin_a)
    assert exc.value.field == "name" and wang.name not in exc.value.message
    assert type(wang).objects.values().get(pk=wang.pk) == before
    reg.refresh_from_db()
    assert reg.person != wang


def test_a_region_cannot_rename_a_person_registered_in_another_region(world, plan):
    reg = RegistrationFactory(plan=plan)
    RegistrationFactory(plan=ExamPlanFactory(region=world.region_b), person=reg.person)
    old = reg.person.name
    row = raw(id_number=reg.person.id_number, name="改个名")
    with pytest.raises(ApplicationError, match="该考生在其他地区也有报名记录，姓名须由部中心更正") as exc:
        services.registration_update(registration=reg, raw=row, acting_user=world.admin_a)
    assert exc.value.field == "name"
    reg.person.refresh_from_db()
    assert reg.person.name == old
    services.registration_update(registration=reg, raw=row, acting_user=world.central, reason="身份证核对更正")
    reg.person.refresh_from_db()
    assert reg.person.name == "改个名"


def test_adding_with_a_different_name_is_refused_without_naming_the_registered_person(world, plan):
    theirs = RegistrationFactory(plan=ExamPlanFactory(region=world.region_b))
    before = type(theirs.person).objects.values().get(pk=theirs.person.pk)
    with pytest.raises(ApplicationError) as exc:
        services.registration_create(plan=plan, raw=raw(id_number=theirs.person.id_number, name="张三",
                                                         phone="13900009999"), acting_user=world.admin_a)
    assert exc.value.field == "name" and theirs.person.name not in exc.value.message
    assert type(theirs.person).objects.values().get(pk=theirs.person.pk) == before
    assert not Registration.objects.filter(plan=plan).exists()
