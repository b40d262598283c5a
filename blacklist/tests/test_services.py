import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditLog
from blacklist.choices import PenaltyState
from blacklist.data import CATEGORIES
from blacklist.data import ensure as ensure_categories
from blacklist.models import BlacklistEntry, EntryStatus, ViolationCategory
from blacklist.rules import penalty_default_end
from blacklist.services import (
    category_create,
    category_update,
    entry_create,
    entry_create_from_registration,
    entry_evidence_download_record,
    entry_export_record,
    entry_reveal_id_number,
    entry_revoke,
    entry_update,
)
from blacklist.tests.factories import category, make_entry
from candidates.tests.factories import RegistrationFactory
from core.errors import ApplicationError, PermissionDenied
from people.models import IdType
from people.tests.factories import PersonFactory, make_resident_id, resident_id_type
from plans.tests.factories import ExamPlanFactory

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"


# --------------------------------------------------------------------------- categories data

@pytest.mark.django_db
def test_default_categories_are_loaded_with_their_penalties():
    names = {c.name: c for c in ViolationCategory.objects.all()}
    for name, months, voids, _ in CATEGORIES:
        assert names[name].default_penalty_months == months
        assert names[name].voids_score is voids
    assert names["替考"].default_penalty_months == 36
    assert names["提供虚假材料"].default_penalty_months == 12


@pytest.mark.django_db
def test_ensure_categories_keeps_central_edits_and_adds_only_missing():
    ViolationCategory.objects.filter(name="替考").update(default_penalty_months=24)
    ViolationCategory.objects.filter(name="提供虚假材料").delete()
    ensure_categories()
    assert ViolationCategory.objects.get(name="替考").default_penalty_months == 24
    assert ViolationCategory.objects.get(name="提供虚假材料").default_penalty_months == 12


# --------------------------------------------------------------------------- default period

@pytest.mark.parametrize(
    "start, months, end",
    [
        (D(2026, 3, 1), 12, D(2027, 2, 28)),
        (D(2026, 3, 15), 36, D(2029, 3, 14)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 11, 10), 6, D(2027, 5, 9)),
        (D(2026, 12, 1), 1, D(2026, 12, 31)),
    ],
)
def test_penalty_default_end(start, months, end):
    assert penalty_default_end(start, months) == end


# --------------------------------------------------------------------------- create

@pytest.mark.django_db
def test_create_by_document_defaults_start_today_and_end_from_category(world):
    number = make_resident_id(11)
    entry = entry_create(id_type=resident_id_type(), id_number=number.lower(), name="张三", region=world.region_a,
                         category=category("提供虚假材料"), evidence_note="伪造学历证明", acting_user=world.central)
    today = timezone.localdate()
    assert entry.id_number == number  # normalised (upper-case X)
    assert entry.penalty_start == today
    assert entry.penalty_end == penalty_default_end(today, 12)
    assert entry.status == EntryStatus.ACTIVE
    assert entry.created_by == world.central
    log = AuditLog.objects.get(action=Action.BLACKLIST_CREATE, object_id=str(entry.pk))
    assert log.after["penalty_end"] == entry.penalty_end.isoformat()
    assert log.after["id_number"] != number and log.after["id_number"].endswith(number[-4:])  # masked


@pytest.mark.django_db
def test_create_refuses_invalid_id_number_and_changes_nothing(world):
    bad = make_resident_id(12)[:-1] + ("0" if make_resident_id(12)[-1] != "0" else "1")
    with pytest.raises(ApplicationError) as exc:
        entry_create(id_type=resident_id_type(), id_number=bad, name="张三", region=world.region_a,
                     category=category(), evidence_note="x", acting_user=world.central)
    assert exc.value.field == "id_number" and "校验位" in exc.value.message
    assert not BlacklistEntry.objects.exists()
    assert not AuditLog.objects.filter(action=Action.BLACKLIST_CREATE).exists()


@pytest.mark.django_db
def test_create_validates_by_the_id_types_own_check(world):
    permit = IdType.objects.get(code=3)
    entry = entry_create(id_type=permit, id_number="h12345678", name="陈大文", region=world.region_b,
                         category=category(), evidence_note="x", acting_user=world.central)
    assert entry.id_number == "H12345678"
    with pytest.raises(ApplicationError) as exc:
        entry_create(id_type=permit, id_number="12345678", name="陈大文", region=world.region_b,
                     category=category(), evidence_note="x", acting_user=world.central)
    assert exc.value.field == "id_number"


@pytest.mark.django_db
def test_only_central_may_create(world):
    with pytest.raises(PermissionDenied):
        entry_create(id_type=resident_id_type(), id_number=make_resident_id(13), name="张三",
                     region=world.region_a, category=category(), evidence_note="x", acting_user=world.admin_a)
    assert not BlacklistEntry.objects.exists()


@pytest.mark.django_db
def test_end_before_start_is_refused(world):
    with pytest.raises(ApplicationError) as exc:
        make_entry(central=world.central, region=world.region_a, start=D(2026, 5, 1), end=D(2026, 4, 30))
    assert exc.value.field == "penalty_end"
    assert not BlacklistEntry.objects.exists()


@pytest.mark.django_db
def test_one_day_penalty_is_allowed(world):
    entry = make_entry(central=world.central, region=world.region_a, start=D(2026, 5, 1), end=D(2026, 5, 1))
    assert entry.penalty_start == entry.penalty_end


@pytest.mark.django_db
def test_evidence_note_is_required(world):
    with pytest.raises(ApplicationError) as exc:
        make_entry(central=world.central, region=world.region_a, evidence_note="   ")
    assert exc.value.field == "evidence_note"


@pytest.mark.django_db
def test_inactive_category_cannot_be_chosen(world):
    ViolationCategory.objects.filter(name="提供虚假材料").update(is_active=False)
    with pytest.raises(ApplicationError) as exc:
        make_entry(central=world.central, region=world.region_a)
    assert exc.value.field == "category"


@pytest.mark.django_db
def test_known_person_name_must_match(world):
    person = PersonFactory(name="李四")
    with pytest.raises(ApplicationError) as exc:
        entry_create(id_type=person.id_type, id_number=person.id_number, name="李五", region=world.region_a,
                     category=category(), evidence_note="x", acting_user=world.central)
    assert exc.value.field == "name" and "李四" in exc.value.message
    entry = entry_create(id_type=person.id_type, id_number=person.id_number, name="李四", region=world.region_a,
                         category=category(), evidence_note="x", acting_user=world.central)
    assert entry.person == person


@pytest.mark.django_db
def test_overlapping_active_entries_are_refused_but_revoked_or_later_ones_are_not(world):
    first = make_entry(central=world.central, region=world.region_a, id_number=make_resident_id(20),
                       start=D(2026, 1, 1), end=D(2026, 12, 31))
    with pytest.raises(ApplicationError) as exc:
        make_entry(central=world.central, region=world.region_b, id_number=first.id_number,
                   start=D(2026, 12, 31), end=D(2027, 6, 30))
    assert "重叠" in exc.value.message
    later = make_entry(central=world.central, region=world.region_b, id_number=first.id_number,
                       start=D(2027, 1, 1), end=D(2027, 6, 30))
    assert later.pk
    entry_revoke(entry=first, reason="复核后认定不属实", acting_user=world.central)
    again = make_entry(central=world.central, region=world.region_a, id_number=first.id_number,
                       start=D(2026, 3, 1), end=D(2026, 6, 30))
    assert again.pk


@pytest.mark.django_db
def test_create_from_registration_fills_person_company_and_region(world):
    plan = ExamPlanFactory(region=world.region_b)
    reg = RegistrationFactory(plan=plan)
    entry = entry_create_from_registration(registration=reg, category=category("替考"), evidence_note="监控显示替考",
                                           acting_user=world.central)
    assert (entry.name, entry.company_name, entry.region, entry.person, entry.registration) == (
        reg.person.name, reg.company_name, world.region_b, reg.person, reg)
    assert (entry.id_type, entry.id_number) == (reg.person.id_type, reg.person.id_number)
    assert entry.penalty_end == penalty_default_end(entry.penalty_start, 36)


@pytest.mark.django_db
def test_evidence_file_is_stored_with_a_random_name_and_its_original_name_kept(world, settings):
    upload = SimpleUploadedFile("监考记录.pdf", PDF, content_type="application/pdf")
    entry = make_entry(central=world.central, region=world.region_a, evidence_file=upload)
    assert entry.evidence_file_name == "监考记录.pdf"
    assert entry.evidence_file.name.startswith("blacklist/") and "监考记录" not in entry.evidence_file.name
    with entry.evidence_file.open("rb") as fh:
        assert fh.read() == PDF


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content, message",
    [
        ("a.exe", b"MZ\x90\x00", "只能是"),
        ("a.pdf", b"MZ\x90\x00 not a pdf", "不符"),
        ("a.png", b"", "空文件"),
    ],
)
def test_bad_evidence_files_are_refused(world, name, content, message):
    with pytest.raises(ApplicationError) as exc:
        make_entry(central=world.central, region=world.region_a, evidence_file=SimpleUploadedFile(name, content))
    assert exc.value.field == "evidence_file" and message in exc.value.message
    assert not BlacklistEntry.objects.exists()


@pytest.mark.django_db
def test_oversized_evidence_file_is_refused(world, monkeypatch):
    monkeypatch.setattr("blacklist.services.EVIDENCE_MAX_BYTES", 1024)
    with pytest.raises(ApplicationError) as exc:
        make_entry(central=world.central, region=world.region_a,
                   evidence_file=SimpleUploadedFile("a.pdf", PDF + b"0" * 2000))
    assert "不能超过" in exc.value.message


# --------------------------------------------------------------------------- update / revoke

@pytest.mark.django_db
def test_update_requires_reason_and_audits_before_and_after(world):
    entry = make_entry(central=world.central, region=world.region_a, start=D(2026, 1, 1), end=D(2026, 12, 31))
    args = dict(entry=entry, name=entry.name, company_name="新公司", region=world.region_b,
                category=category("替考"), penalty_start=D(2026, 1, 1), penalty_end=D(2028, 12, 31),
                evidence_note=entry.evidence_note, acting_user=world.central)
    with pytest.raises(ApplicationError) as exc:
        entry_update(reason="  ", **args)
    assert exc.value.field == "reason"
    entry.refresh_from_db()
    assert entry.penalty_end == D(2026, 12, 31)

    entry_update(reason="复核后改为替考", **args)
    entry.refresh_from_db()
    assert (entry.penalty_end, entry.region, entry.company_name) == (D(2028, 12, 31), world.region_b, "新公司")
    log = AuditLog.objects.get(action=Action.BLACKLIST_UPDATE, object_id=str(entry.pk))
    assert log.reason == "复核后改为替考"
    assert log.before["penalty_end"] == "2026-12-31" and log.after["penalty_end"] == "2028-12-31"
    assert log.before["category"] == category("提供虚假材料").pk and log.after["category"] == category("替考").pk
    assert "name" not in log.after  # only what changed


@pytest.mark.django_db
def test_update_without_change_is_refused(world):
    entry = make_entry(central=world.central, region=world.region_a)
    with pytest.raises(ApplicationError, match="没有修改"):
        entry_update(entry=entry, name=entry.name, company_name=entry.company_name, region=entry.region,
                     category=entry.category, penalty_start=entry.penalty_start, penalty_end=entry.penalty_end,
                     evidence_note=entry.evidence_note, reason="无", acting_user=world.central)


@pytest.mark.django_db
def test_update_keeps_an_inactive_category_already_chosen(world):
    entry = make_entry(central=world.central, region=world.region_a)
    ViolationCategory.objects.filter(pk=entry.category_id).update(is_active=False)
    entry.category.refresh_from_db()
    entry_update(entry=entry, name=entry.name, company_name=entry.company_name, region=entry.region,
                 category=entry.category, penalty_start=entry.penalty_start,
                 penalty_end=entry.penalty_end + datetime.timedelta(days=1),
                 evidence_note=entry.evidence_note, reason="延长一天", acting_user=world.central)


@pytest.mark.django_db
def test_revoke_requires_reason_keeps_the_row_and_stops_blocking(world):
    from blacklist.selectors import penalty_end_for

    entry = make_entry(central=world.central, region=world.region_a)
    assert penalty_end_for(id_type_id=entry.id_type_id, id_number=entry.id_number) == entry.penalty_end
    with pytest.raises(ApplicationError):
        entry_revoke(entry=entry, reason="", acting_user=world.central)
    with pytest.raises(PermissionDenied):
        entry_revoke(entry=entry, reason="x", acting_user=world.admin_a)
    entry_revoke(entry=entry, reason="申诉成立", acting_user=world.central)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REVOKED and entry.revoked_by == world.central and entry.revoked_at
    assert entry.state() == PenaltyState.REVOKED
    assert penalty_end_for(id_type_id=entry.id_type_id, id_number=entry.id_number) is None
    assert BlacklistEntry.objects.filter(pk=entry.pk).exists()
    log = AuditLog.objects.get(action=Action.BLACKLIST_REVOKE)
    assert log.before["status"] == "active" and log.after["status"] == "revoked" and log.reason == "申诉成立"
    with pytest.raises(ApplicationError, match="已经撤销"):
        entry_revoke(entry=entry, reason="again", acting_user=world.central)


@pytest.mark.django_db
def test_revoked_entry_cannot_be_edited(world):
    entry = make_entry(central=world.central, region=world.region_a)
    entry_revoke(entry=entry, reason="x", acting_user=world.central)
    with pytest.raises(ApplicationError, match="已撤销"):
        entry_update(entry=entry, name="新名字", company_name="", region=entry.region, category=entry.category,
                     penalty_start=entry.penalty_start, penalty_end=entry.penalty_end,
                     evidence_note="y", reason="z", acting_user=world.central)


@pytest.mark.django_db
def test_nothing_is_deleted_through_the_model_protection(world):
    from django.db.models import ProtectedError

    entry = make_entry(central=world.central, region=world.region_a)
    with pytest.raises(ProtectedError):
        entry.category.delete()


# --------------------------------------------------------------------------- logged reads

@pytest.mark.django_db
def test_reveal_download_and_export_are_logged(world):
    entry = make_entry(central=world.central, region=world.region_a,
                       evidence_file=SimpleUploadedFile("e.pdf", PDF))
    assert entry_reveal_id_number(entry=entry, acting_user=world.central) == entry.id_number
    entry_evidence_download_record(entry=entry, acting_user=world.central)
    entry_export_record(row_count=3, filters={"name": "张"}, masked=True, acting_user=world.admin_a)
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {Action.BLACKLIST_REVEAL_ID_NUMBER, Action.BLACKLIST_EVIDENCE_DOWNLOAD, Action.BLACKLIST_EXPORT} <= actions
    export = AuditLog.objects.get(action=Action.BLACKLIST_EXPORT)
    assert export.region_id == world.region_a.pk and export.after["rows"] == 3
    with pytest.raises(PermissionDenied):
        entry_reveal_id_number(entry=entry, acting_user=world.admin_a)
    with pytest.raises(PermissionDenied):
        entry_evidence_download_record(entry=entry, acting_user=world.admin_a)


# --------------------------------------------------------------------------- categories

@pytest.mark.django_db
def test_category_create_and_update_are_audited_and_checked(world):
    cat = category_create(name="冒用他人证件", description="", default_penalty_months=24, voids_score=True,
                          acting_user=world.central)
    assert AuditLog.objects.filter(action=Action.BLACKLIST_CATEGORY_CREATE, object_id=str(cat.pk)).exists()
    with pytest.raises(ApplicationError) as exc:
        category_create(name="冒用他人证件", default_penalty_months=12, voids_score=True, acting_user=world.central)
    assert exc.value.field == "name"
    with pytest.raises(ApplicationError) as exc:
        category_create(name="新类型", default_penalty_months=0, voids_score=True, acting_user=world.central)
    assert exc.value.field == "default_penalty_months"
    with pytest.raises(PermissionDenied):
        category_create(name="新类型", default_penalty_months=6, voids_score=True, acting_user=world.admin_a)

    category_update(category=cat, name="冒用他人证件", description="说明", default_penalty_months=18,
                    voids_score=True, is_active=False, reason="调整", acting_user=world.central)
    cat.refresh_from_db()
    assert (cat.default_penalty_months, cat.is_active) == (18, False)
    log = AuditLog.objects.get(action=Action.BLACKLIST_CATEGORY_UPDATE)
    assert log.before == {"description": "", "default_penalty_months": 24, "is_active": True}
    assert log.after == {"description": "说明", "default_penalty_months": 18, "is_active": False}


@pytest.mark.django_db
def test_changing_a_default_does_not_move_existing_periods(world):
    entry = make_entry(central=world.central, region=world.region_a)
    end = entry.penalty_end
    cat = entry.category
    category_update(category=cat, name=cat.name, description=cat.description, default_penalty_months=24,
                    voids_score=cat.voids_score, is_active=True, acting_user=world.central)
    entry.refresh_from_db()
    assert entry.penalty_end == end


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start, end, field",
    [(D(1999, 12, 31), D(2000, 6, 30), "penalty_start"), (D(2026, 1, 1), D(2046, 1, 2), "penalty_end"),
     (D(2205, 6, 1), D(2206, 6, 1), "penalty_start"),  # a typo for 2025
     (D(9999, 6, 1), None, "penalty_start"),  # its default end would be past year 9999
     (D(9990, 6, 1), D(9990, 7, 1), "penalty_start")],
)
def test_implausible_periods_are_refused(world, start, end, field):
    with pytest.raises(ApplicationError) as exc:
        make_entry(central=world.central, region=world.region_a, start=start, end=end)
    assert exc.value.field == field
    assert make_entry(central=world.central, region=world.region_a, start=D(2026, 1, 1), end=D(2046, 1, 1)).pk


@pytest.mark.django_db
def test_the_registration_of_an_entry_can_be_removed_from_its_plan_and_the_entry_keeps_its_label(client, world):
    """From the conflicts list the natural step is to delete the registration: no crash, and the
    entry still says which registration the decision was taken from."""
    from candidates.models import Registration
    from candidates.services import registration_delete

    reg = RegistrationFactory(plan=ExamPlanFactory(region=world.region_a))
    entry = entry_create_from_registration(registration=reg, category=category("提供虚假材料"),
                                           evidence_note="材料造假", acting_user=world.central)
    label = f"考生编号 {reg.candidate_number}，批次 {reg.plan.batch_no}（{reg.plan.exam_date:%Y-%m-%d}）"
    assert entry.registration_label == label
    registration_delete(registration=reg, acting_user=world.admin_a)
    assert not Registration.objects.filter(pk=reg.pk).exists()
    entry.refresh_from_db()
    assert entry.registration is None and entry.registration_label == label
    client.force_login(world.central)
    html = client.get(f"/blacklist/{entry.pk}/").content.decode()
    assert label in html and "该报名已删除" in html


@pytest.mark.django_db
def test_a_failed_save_leaves_no_evidence_file_on_disk(world, settings, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("blacklist.services.audit_record", broken)
    upload = SimpleUploadedFile("监考记录.pdf", PDF, content_type="application/pdf")
    with pytest.raises(RuntimeError):
        make_entry(central=world.central, region=world.region_a, evidence_file=upload)
    assert not BlacklistEntry.objects.exists()
    stored = [p for p in (settings.MEDIA_ROOT / "blacklist").rglob("*") if p.is_file()] \
        if (settings.MEDIA_ROOT / "blacklist").exists() else []
    assert stored == []
