"""docs/decisions.md#one-person-several-regions: no region can take over another region's candidate; a blacklisting
reaches existing registrations (停考); a deleted candidate is not re-added silently."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import ric

from accounts.models import User
from audit.actions import Action
from audit.models import AuditLog
from blacklist.services import entry_revoke
from blacklist.tests.factories import make_entry
from candidates.importing.samples import sample_row, write_xlsx
from candidates.importing.services import import_file, import_readd_confirm, report_reasons
from candidates.models import Registration, RegistrationDeletion
from candidates.selectors import is_suspended, registration_suspension
from candidates.services import plan_notice_start, registration_create, registration_delete
from core.errors import ApplicationError
from jobs.models import Job
from people.models import Person
from plans.tests.factories import ExamPlanFactory
from sms.models import SmsMessage

pytestmark = pytest.mark.django_db

ACTIVATE = "accounts:candidate_activate"
GOOD = "Kaosheng#2026"


def rid(area: str, birth: str, seq: int = 321) -> str:
    body = f"{area}{birth.replace('-', '')}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def wang_yong(seq=1):
    row = sample_row(seq)
    row.update(name="王勇", id_number=rid("440106", "1975-12-01"), phone="13826661234",
               company_name="广东省电信工程有限公司", credit_code="91440000190321406G")
    return row


@pytest.fixture
def guangdong(world):
    """王勇, registered only in 广东."""
    plan = ExamPlanFactory(region=world.region_b, days_ahead=20)
    reg, _ = registration_create(plan=plan, raw=wang_yong(), acting_user=world.admin_b)
    return reg


def attack(world):
    """北京 adds 王勇 (same name and number) with the attacker's phone and company."""
    plan = ExamPlanFactory(region=world.region_a, days_ahead=20)
    raw = dict(wang_yong(), phone="13900006666", company_name="攻击者公司")
    reg, _ = registration_create(plan=plan, raw=raw, acting_user=world.admin_a)
    return reg


def codes_to(phone):
    return SmsMessage.objects.filter(phone=phone, template="candidate_activation_code").count()


def start(client, person):
    return client.post(reverse(ACTIVATE), {"step": "start", "id_type": person.id_type.pk, "id_number": person.id_number,
                                           "captcha_0": "k", "captcha_1": "PASSED"})


def finish(client, code):
    return client.post(reverse(ACTIVATE), {"step": "finish", "sms_code": code, "new_password1": GOOD,
                                           "new_password2": GOOD})


def last_code(phone):
    return SmsMessage.objects.filter(phone=phone, template="candidate_activation_code").latest("id").params["code"]


# --------------------------------------------------------------------------- §2

def test_another_regions_add_changes_nothing_of_the_guangdong_registration(world, guangdong):
    bj = attack(world)
    guangdong.refresh_from_db()
    assert (guangdong.phone, guangdong.company_name) == ("13826661234", "广东省电信工程有限公司")
    assert (bj.phone, bj.company_name) == ("13900006666", "攻击者公司")
    assert bj.person_id == guangdong.person_id and Person.objects.count() == 1


def test_first_login_code_goes_to_the_earliest_registrations_phone_not_the_attackers(client, world, guangdong, clock):
    attack(world)
    start(client, guangdong.person)
    assert codes_to("13900006666") == 0 and codes_to("13826661234") == 1
    # the real candidate activates: the verified phone is his
    assert finish(client, last_code("13826661234")).status_code == 302
    user = Person.objects.get(pk=guangdong.person_id).user
    assert user.phone == "13826661234"


def test_reset_of_an_active_account_goes_only_to_the_verified_phone(client, world, guangdong, clock):
    start(client, guangdong.person)
    finish(client, last_code("13826661234"))
    client.logout()
    attack(world)  # after activation: 北京 imports him with the attacker's phone
    clock.advance(61)
    start(client, guangdong.person)  # 忘记密码
    assert codes_to("13900006666") == 0 and codes_to("13826661234") == 2
    # the re-set does not move the verified phone either
    finish(client, last_code("13826661234"))
    assert Person.objects.get(pk=guangdong.person_id).user.phone == "13826661234"


def test_an_import_elsewhere_never_changes_the_verified_phone(client, world, guangdong, tmp_path, clock):
    start(client, guangdong.person)
    finish(client, last_code("13826661234"))
    write_xlsx([dict(wang_yong(), phone="13900006666")], tmp_path / "bj.xlsx")
    run = import_file(plan=ExamPlanFactory(region=world.region_a), path=tmp_path / "bj.xlsx", acting_user=world.admin_a)
    assert run.created_count == 1
    assert Person.objects.get(pk=guangdong.person_id).user.phone == "13826661234"
    guangdong.refresh_from_db()
    assert guangdong.phone == "13826661234"


def test_a_change_to_the_person_shows_under_every_region_holding_a_registration(world, guangdong):
    bj = attack(world)
    from candidates.services import registration_update

    row = dict(wang_yong(), name="王永")
    registration_update(registration=guangdong, raw=row, acting_user=world.central, reason="身份证更名")
    entry = AuditLog.objects.get(action=Action.PERSON_UPDATE)
    for admin in (world.admin_a, world.admin_b):
        assert AuditLog.objects.visible_to(admin).filter(pk=entry.pk).exists()
    from regions.models import Region

    other = User.objects.create_user("t_admin_sh", "x", role="regional", region=Region.objects.get(code="31"))
    assert not AuditLog.objects.visible_to(other).filter(pk=entry.pk).exists()
    from candidates.selectors import registration_history

    assert entry in list(registration_history(registration=bj, fetched_by=world.admin_a))


# --------------------------------------------------------------------------- §4

def test_a_running_penalty_marks_registrations_suspended_and_revoking_lifts_it(client, world, guangdong):
    today = timezone.localdate()
    entry = make_entry(central=world.central, region=world.region_a, person=guangdong.person,
                       start=today - datetime.timedelta(days=1), end=today + datetime.timedelta(days=365))
    assert is_suspended(guangdong) and registration_suspension([guangdong]) == {guangdong.pk: entry.penalty_end}
    client.force_login(world.admin_b)
    listing = client.get(reverse("candidates:list")).content.decode()
    assert 'data-testid="suspended"' in listing
    detail = client.get(reverse("candidates:detail", args=[guangdong.pk])).content.decode()
    assert "停考" in detail and f"{entry.penalty_end:%Y-%m-%d}" in detail
    from candidates.tests.test_export import download, sheet_rows

    rows = sheet_rows(download(client.post(reverse("candidates:export"), {"scope": "all"})))
    assert rows[0][-1] == "考试状态" and rows[1][-1].startswith("停考")
    entry_revoke(entry=entry, reason="复核后撤销", acting_user=world.central)
    assert not is_suspended(guangdong)
    assert 'data-testid="suspended"' not in client.get(reverse("candidates:list")).content.decode()


def test_an_ended_penalty_lifts_it(world, guangdong):
    today = timezone.localdate()
    make_entry(central=world.central, region=world.region_b, person=guangdong.person,
               start=today - datetime.timedelta(days=400), end=today - datetime.timedelta(days=1))
    assert not is_suspended(guangdong)
    assert is_suspended(guangdong, on_date=today - datetime.timedelta(days=2))


def test_my_page_shows_suspended(client, world, guangdong, clock):
    start(client, guangdong.person)
    finish(client, last_code("13826661234"))
    today = timezone.localdate()
    make_entry(central=world.central, region=world.region_b, person=guangdong.person, start=today,
               end=today + datetime.timedelta(days=30))
    body = client.get(reverse("candidates:my_registrations")).content.decode()
    assert 'data-testid="suspended"' in body and "停考" in body


def test_notice_skips_suspended_registrations_and_says_how_many(world, guangdong):
    plan = guangdong.plan
    other = registration_create(plan=plan, raw=sample_row(9), acting_user=world.admin_b)[0]
    today = timezone.localdate()
    make_entry(central=world.central, region=world.region_b, person=guangdong.person, start=today,
               end=today + datetime.timedelta(days=30))
    job = plan_notice_start(plan=plan, acting_user=world.admin_b)
    job = Job.objects.get(pk=job.pk)
    assert job.result == {"sent": 1, "skipped": 0, "failed": 0, "suspended": 1, "sms": 1}
    assert "停考" in job.message and "1" in job.message
    assert not SmsMessage.objects.filter(phone=guangdong.phone, template="exam_notice").exists()
    assert SmsMessage.objects.filter(phone=other.phone, template="exam_notice").exists()


# --------------------------------------------------------------------------- §5

def test_a_deleted_candidate_is_reported_apart_and_re_added_only_on_confirmation(world, tmp_path):
    plan = ExamPlanFactory(region=world.region_a, batch_no="1126001")
    rows = [sample_row(i) for i in range(3)]
    write_xlsx(rows, tmp_path / "名单.xlsx")
    import_file(plan=plan, path=tmp_path / "名单.xlsx", acting_user=world.admin_a)
    gone = Registration.objects.get(plan=plan, person__id_number=rows[1]["id_number"])
    registration_delete(registration=gone, acting_user=world.admin_a, reason="企业撤回报名")
    trace = RegistrationDeletion.objects.get()
    assert (trace.candidate_number, trace.deleted_by, trace.reason) == ("112600100002", world.admin_a, "企业撤回报名")

    again = import_file(plan=plan, path=tmp_path / "名单.xlsx", acting_user=world.admin_a)
    assert (again.created_count, again.existing_count) == (0, 2)
    assert [d["row"] for d in again.deleted_rows] == [3]
    assert again.deleted_rows[0]["candidate_number"] == "112600100002"
    assert again.deleted_rows[0]["deleted_by"] == world.admin_a.full_name
    assert "曾被删除" in report_reasons(again)[3] and "曾被删除(待确认) 1" in again.message
    assert not Registration.objects.filter(plan=plan, person__id_number=rows[1]["id_number"]).exists()

    confirm = import_readd_confirm(run=again, acting_user=world.admin_a)
    assert confirm.created_count == 1 and confirm.readd_of_id == again.pk
    back = Registration.objects.get(plan=plan, person__id_number=rows[1]["id_number"])
    assert back.candidate_number == "112600100004"  # a new number; the old one stays retired
    with pytest.raises(ApplicationError, match="已确认过"):
        import_readd_confirm(run=again, acting_user=world.admin_a)


def test_the_cli_lists_deleted_rows_and_re_adds_them_with_the_flag(world, tmp_path, capsys):
    plan = ExamPlanFactory(region=world.region_a, batch_no="1126001")
    rows = [sample_row(i) for i in range(2)]
    path = tmp_path / "名单.xlsx"
    write_xlsx(rows, path)
    import_file(plan=plan, path=path, acting_user=world.admin_a)
    registration_delete(registration=Registration.objects.filter(plan=plan).first(), acting_user=world.admin_a)
    call_command("import_candidates", plan.batch_no, str(path), "--user", world.admin_a.username)
    out = capsys.readouterr().out
    assert "曾被删除" in out and "--readd-deleted" in out
    assert Registration.objects.filter(plan=plan).count() == 1
    call_command("import_candidates", plan.batch_no, str(path), "--user", world.admin_a.username, "--readd-deleted")
    assert Registration.objects.filter(plan=plan).count() == 2


def test_the_result_page_offers_the_confirmation(client, world, tmp_path):
    plan = ExamPlanFactory(region=world.region_a)
    write_xlsx([sample_row(1)], tmp_path / "a.xlsx")
    import_file(plan=plan, path=tmp_path / "a.xlsx", acting_user=world.admin_a)
    registration_delete(registration=Registration.objects.get(plan=plan), acting_user=world.admin_a)
    run = import_file(plan=plan, path=tmp_path / "a.xlsx", acting_user=world.admin_a)
    client.force_login(world.admin_a)
    body = client.get(reverse("candidates:import_run", args=[run.pk])).content.decode()
    assert "曾被删除" in body and 'data-testid="readd-button"' in body
    response = client.post(reverse("candidates:import_readd", args=[run.pk]))
    assert response.status_code == 302 and Registration.objects.filter(plan=plan).count() == 1
    body = client.get(reverse("candidates:import_run", args=[run.pk])).content.decode()
    assert 'data-testid="readd-done"' in body and 'data-testid="readd-button"' not in body


def test_only_central_changes_the_verified_phone_with_a_reason_audited(client, world, guangdong, clock):
    from accounts.services import candidate_verified_phone_set
    from core.errors import PermissionDenied

    start(client, guangdong.person)
    finish(client, last_code("13826661234"))
    person = Person.objects.get(pk=guangdong.person_id)
    with pytest.raises(PermissionDenied):
        candidate_verified_phone_set(person=person, phone="13900006666", reason="x", acting_user=world.admin_b)
    with pytest.raises(ApplicationError, match="原因"):
        candidate_verified_phone_set(person=person, phone="13711110000", reason=" ", acting_user=world.central)
    candidate_verified_phone_set(person=person, phone="13711110000", reason="本人持证来电核实", acting_user=world.central)
    assert Person.objects.get(pk=person.pk).user.phone == "13711110000"
    entry = AuditLog.objects.get(action=Action.ACCOUNT_CANDIDATE_PHONE)
    assert entry.before == {"phone": "138****1234"} and entry.reason == "本人持证来电核实"
    assert AuditLog.objects.visible_to(world.admin_b).filter(pk=entry.pk).exists()
    assert not AuditLog.objects.visible_to(world.admin_a).filter(pk=entry.pk).exists()  # 北京 holds none
    attack(world)  # once 北京 registers him, it sees the change too
    assert AuditLog.objects.visible_to(world.admin_a).filter(pk=entry.pk).exists()


def test_a_dry_run_lists_deleted_rows_apart_as_a_real_run_does(client, world, tmp_path, capsys):
    """仅校验 sorts the rows like the real run: a candidate deleted from the plan is listed under
    曾被删除 (who, when, the retired number), not counted as new; nothing is written."""
    plan = ExamPlanFactory(region=world.region_a, batch_no="1126001")
    rows = [sample_row(i) for i in range(3)]
    path = tmp_path / "名单.xlsx"
    write_xlsx(rows, path)
    import_file(plan=plan, path=path, acting_user=world.admin_a)
    gone = Registration.objects.get(plan=plan, person__id_number=rows[2]["id_number"])
    registration_delete(registration=gone, acting_user=world.admin_a, reason="企业撤回报名")
    write_xlsx(rows + [sample_row(7)], path)

    dry = import_file(plan=plan, path=path, acting_user=world.admin_a, dry_run=True)
    real_like = {"created": 1, "existing": 2, "deleted": [4]}
    assert (dry.created_count, dry.existing_count, [d["row"] for d in dry.deleted_rows]) == (
        real_like["created"], real_like["existing"], real_like["deleted"])
    assert dry.deleted_rows[0]["candidate_number"] == gone.candidate_number
    assert dry.deleted_rows[0]["deleted_by"] == world.admin_a.full_name
    assert Registration.objects.filter(plan=plan).count() == 2
    with pytest.raises(ApplicationError):
        import_readd_confirm(run=dry, acting_user=world.admin_a)
    client.force_login(world.admin_a)
    body = client.get(reverse("candidates:import_run", args=[dry.pk])).content.decode()
    assert "曾被删除" in body and 'data-testid="readd-button"' not in body and 'data-testid="readd-dry-run"' in body

    call_command("import_candidates", plan.batch_no, str(path), "--user", world.admin_a.username, "--dry-run")
    out = capsys.readouterr().out
    assert "曾被删除" in out and gone.candidate_number in out
    assert Registration.objects.filter(plan=plan).count() == 2

    real = import_file(plan=plan, path=path, acting_user=world.admin_a)
    assert (real.created_count, real.existing_count, [d["row"] for d in real.deleted_rows]) == (1, 2, [4])
