import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditLog
from blacklist.models import BlacklistEntry, EntryStatus, ViolationCategory
from blacklist.rules import penalty_default_end
from blacklist.tests.factories import category, make_entry
from candidates.tests.factories import RegistrationFactory
from core.masking import mask_id_number
from people.tests.factories import PersonFactory, make_resident_id, resident_id_type
from plans.tests.factories import ExamPlanFactory

PDF = b"%PDF-1.4\n%evidence\n"
ONE = datetime.timedelta(days=1)


def _xlsx_rows(response):
    body = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


# --------------------------------------------------------------------------- list

@pytest.mark.django_db
def test_list_shows_the_columns_with_masked_id_and_derived_state(client, world):
    today = timezone.localdate()
    running = make_entry(central=world.central, region=world.region_a, name="张三", company_name="甲公司",
                         start=today - ONE, end=today + 100 * ONE)
    make_entry(central=world.central, region=world.region_a, name="李四", start=today - 400 * ONE, end=today - ONE)
    future = make_entry(central=world.central, region=world.region_a, name="王五", start=today + ONE)
    revoked = make_entry(central=world.central, region=world.region_a, name="赵六")
    BlacklistEntry.objects.filter(pk=revoked.pk).update(status=EntryStatus.REVOKED)
    client.force_login(world.admin_a)
    html = client.get(reverse("blacklist:list")).content.decode()
    for text in ["姓名", "证件号码", "企业名称", "违规类型", "处罚期限", "状态", "甲公司", "提供虚假材料",
                 "处罚中", "已期满", "未开始", "已撤销", mask_id_number(running.id_number),
                 f"{running.penalty_start:%Y-%m-%d} – {running.penalty_end:%Y-%m-%d}"]:
        assert text in html, text
    for entry in (running, future, revoked):
        assert entry.id_number not in html
    assert reverse("blacklist:add") not in html  # no central actions for a region


@pytest.mark.django_db
def test_list_search_by_name_id_category_state_and_date(client, world):
    today = timezone.localdate()
    a = make_entry(central=world.central, region=world.region_a, name="张三", category_name="替考")
    make_entry(central=world.central, region=world.region_a, name="李四", start=today - 400 * ONE, end=today - ONE)
    client.force_login(world.admin_a)
    url = reverse("blacklist:list")

    def names(**params):
        html = client.get(url, params).content.decode()
        return {n for n in ("张三", "李四") if f">{n}</td>" in html}

    assert names() == {"张三", "李四"}
    assert names(name="张") == {"张三"}
    assert names(id_number=a.id_number) == {"张三"}
    assert names(category=category("替考").pk) == {"张三"}
    assert names(state="expired") == {"李四"}
    assert names(period_from=f"{today:%Y-%m-%d}", period_to=f"{today:%Y-%m-%d}") == {"张三"}
    response = client.get(url, {"period_from": "2026-05-02", "period_to": "2026-05-01"})
    assert "结束日期不能早于开始日期" in response.content.decode()


# --------------------------------------------------------------------------- add

@pytest.mark.django_db
def test_add_by_document_with_default_end_and_evidence_file(client, world):
    client.force_login(world.central)
    number = make_resident_id(31)
    today = timezone.localdate()
    response = client.post(reverse("blacklist:add"), {
        "id_type": resident_id_type().pk, "id_number": number, "name": "张三", "company_name": "甲公司", "region": world.region_b.pk,
        "category": category("替考").pk, "penalty_start": f"{today:%Y-%m-%d}", "penalty_end": "",
        "evidence_note": "监控录像显示替考", "evidence_file": SimpleUploadedFile("录像截图.png", b"\x89PNG\r\n\x1a\n...")})
    entry = BlacklistEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("blacklist:detail", args=[entry.pk])
    assert entry.penalty_end == penalty_default_end(today, 36)
    assert entry.region == world.region_b and entry.created_by == world.central
    assert entry.evidence_file_name == "录像截图.png"


@pytest.mark.django_db
def test_add_form_defaults_start_to_today(client, world):
    client.force_login(world.central)
    html = client.get(reverse("blacklist:add")).content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in html
    assert "data-category-months" in html


@pytest.mark.django_db
def test_add_with_bad_number_shows_the_error_beside_the_field_and_creates_nothing(client, world):
    client.force_login(world.central)
    response = client.post(reverse("blacklist:add"), {
        "id_type": resident_id_type().pk, "id_number": "110105198506010010", "name": "张三", "region": world.region_a.pk,
        "category": category().pk, "penalty_start": "2026-01-01", "evidence_note": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-id_number"' in html and "身份证号码" in html
    assert not BlacklistEntry.objects.exists()


@pytest.mark.django_db
def test_add_with_end_before_start_is_refused(client, world):
    client.force_login(world.central)
    response = client.post(reverse("blacklist:add"), {
        "id_type": resident_id_type().pk, "id_number": make_resident_id(32), "name": "张三", "region": world.region_a.pk,
        "category": category().pk, "penalty_start": "2026-05-01", "penalty_end": "2026-04-01", "evidence_note": "x"})
    assert 'data-testid="error-penalty_end"' in response.content.decode()
    assert not BlacklistEntry.objects.exists()


@pytest.mark.django_db
def test_add_from_registration_search_select_and_decide(client, world):
    plan = ExamPlanFactory(region=world.region_b)
    reg = RegistrationFactory(plan=plan, company_name="乙公司", person=PersonFactory(name="钱七"))
    client.force_login(world.central)
    url = reverse("blacklist:add_from_registration")
    html = client.get(url, {"q": reg.candidate_number}).content.decode()
    assert "钱七" in html and f"?registration={reg.pk}" in html and reg.person.id_number not in html
    assert "钱七" in client.get(url, {"q": reg.person.id_number}).content.decode()
    assert "没有找到" in client.get(url, {"q": "NOPE"}).content.decode()
    assert "乙公司" in client.get(url, {"registration": reg.pk}).content.decode()
    response = client.post(url, {"registration": reg.pk, "category": category("替考").pk,
                                 "penalty_start": "2026-06-01", "penalty_end": "", "evidence_note": "替考"})
    assert response.status_code == 302
    entry = BlacklistEntry.objects.get()
    assert (entry.name, entry.company_name, entry.region, entry.registration) == ("钱七", "乙公司", world.region_b, reg)
    assert entry.penalty_end == datetime.date(2029, 5, 31)


# --------------------------------------------------------------------------- edit / revoke

@pytest.mark.django_db
def test_edit_requires_a_reason(client, world):
    entry = make_entry(central=world.central, region=world.region_a)
    client.force_login(world.central)
    data = {"name": entry.name, "company_name": entry.company_name, "region": world.region_a.pk,
            "category": entry.category_id, "penalty_start": f"{entry.penalty_start:%Y-%m-%d}",
            "penalty_end": f"{entry.penalty_end + ONE:%Y-%m-%d}", "evidence_note": entry.evidence_note, "reason": ""}
    response = client.post(reverse("blacklist:edit", args=[entry.pk]), data)
    assert 'data-testid="error-reason"' in response.content.decode()
    entry.refresh_from_db()
    old_end = entry.penalty_end
    response = client.post(reverse("blacklist:edit", args=[entry.pk]), {**data, "reason": "延长"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.penalty_end == old_end + ONE
    assert AuditLog.objects.filter(action=Action.BLACKLIST_UPDATE, reason="延长").exists()


@pytest.mark.django_db
def test_revoke_via_page_then_edit_is_refused(client, world):
    entry = make_entry(central=world.central, region=world.region_a)
    client.force_login(world.central)
    response = client.post(reverse("blacklist:revoke", args=[entry.pk]), {"reason": ""})
    assert 'data-testid="error-reason"' in response.content.decode()
    response = client.post(reverse("blacklist:revoke", args=[entry.pk]), {"reason": "申诉成立"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REVOKED
    response = client.get(reverse("blacklist:edit", args=[entry.pk]), follow=True)
    assert "已撤销的黑名单记录不能修改" in response.content.decode()
    detail = client.get(reverse("blacklist:detail", args=[entry.pk])).content.decode()
    assert "申诉成立" in detail and "blacklist.revoke" in detail


# --------------------------------------------------------------------------- detail, reveal, evidence

@pytest.mark.django_db
def test_region_detail_is_masked_and_evidence_not_downloadable(client, world):
    entry = make_entry(central=world.central, region=world.region_a, evidence_file=SimpleUploadedFile("e.pdf", PDF))
    client.force_login(world.admin_a)
    html = client.get(reverse("blacklist:detail", args=[entry.pk])).content.decode()
    assert mask_id_number(entry.id_number) in html and entry.id_number not in html
    assert reverse("blacklist:evidence", args=[entry.pk]) not in html and "仅部中心" in html
    assert client.get(reverse("blacklist:evidence", args=[entry.pk])).status_code == 403


@pytest.mark.django_db
def test_central_reveal_and_download_are_logged(client, world):
    entry = make_entry(central=world.central, region=world.region_a, evidence_file=SimpleUploadedFile("证据.pdf", PDF))
    client.force_login(world.central)
    response = client.post(reverse("blacklist:reveal", args=[entry.pk]), HTTP_HX_REQUEST="true")
    assert entry.id_number in response.content.decode() and "no-store" in response["Cache-Control"]
    # without JavaScript: the answer page shows it; nothing goes into the session or a later page
    response = client.post(reverse("blacklist:reveal", args=[entry.pk]))
    assert response.status_code == 200 and entry.id_number in response.content.decode()
    assert entry.id_number not in client.get(reverse("blacklist:detail", args=[entry.pk])).content.decode()
    response = client.get(reverse("blacklist:evidence", args=[entry.pk]))
    assert "no-store" in response["Cache-Control"]
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert set(AuditLog.objects.values_list("action", flat=True)) >= {Action.BLACKLIST_REVEAL_ID_NUMBER,
                                                                      Action.BLACKLIST_EVIDENCE_DOWNLOAD}


@pytest.mark.django_db
def test_evidence_of_an_entry_without_file_is_404(client, world):
    entry = make_entry(central=world.central, region=world.region_a)
    client.force_login(world.central)
    assert client.get(reverse("blacklist:evidence", args=[entry.pk])).status_code == 404


# --------------------------------------------------------------------------- export

@pytest.mark.django_db
def test_region_export_is_masked_scoped_filtered_neutralised_and_logged(client, world):
    mine = make_entry(central=world.central, region=world.region_a, name="=HYPERLINK(\"x\")", company_name="@SUM(A1)")
    make_entry(central=world.central, region=world.region_a, name="张三", category_name="替考")
    other = make_entry(central=world.central, region=world.region_b, name="广东人")
    client.force_login(world.admin_a)
    response = client.get(reverse("blacklist:export"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = _xlsx_rows(response)
    assert rows[0][:8] == ["姓名", "证件类型", "证件号码", "企业名称", "违规类型", "处罚开始日期", "处罚截止日期", "状态"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"'=HYPERLINK(\"x\")", "张三"}
    row = by_name["'=HYPERLINK(\"x\")"]
    assert row[2] == mask_id_number(mine.id_number) and row[3] == "'@SUM(A1)" and row[7] == "处罚中"
    assert all(other.id_number not in str(v) and "广东人" not in str(v) for r in rows for v in r)
    log = AuditLog.objects.get(action=Action.BLACKLIST_EXPORT)
    assert log.after["rows"] == 2 and log.after["masked"] is True and log.actor == world.admin_a

    filtered = _xlsx_rows(client.get(reverse("blacklist:export"), {"category": category("替考").pk}))
    assert [r[0] for r in filtered[1:]] == ["张三"]


@pytest.mark.django_db
def test_central_export_has_full_numbers(client, world):
    entry = make_entry(central=world.central, region=world.region_b)
    client.force_login(world.central)
    rows = _xlsx_rows(client.get(reverse("blacklist:export")))
    assert rows[1][2] == entry.id_number
    assert AuditLog.objects.get(action=Action.BLACKLIST_EXPORT).after["masked"] is False


# --------------------------------------------------------------------------- conflicts and categories

@pytest.mark.django_db
def test_conflicts_page_lists_registered_person_under_penalty(client, world):
    person = PersonFactory(name="冲突考生")
    reg = RegistrationFactory(person=person, plan=ExamPlanFactory(region=world.region_b, days_ahead=20))
    make_entry(central=world.central, region=world.region_a, person=person)
    RegistrationFactory(plan=ExamPlanFactory(region=world.region_b, days_ahead=20))
    client.force_login(world.central)
    html = client.get(reverse("blacklist:conflicts")).content.decode()
    assert "冲突考生" in html and reg.candidate_number in html and "处罚期内" in html
    assert person.id_number not in html


@pytest.mark.django_db
def test_categories_add_edit_and_deactivate_through_pages(client, world):
    client.force_login(world.central)
    html = client.get(reverse("blacklist:categories")).content.decode()
    assert "替考" in html and "36 个月" in html
    response = client.post(reverse("blacklist:category_add"), {"name": "替考", "default_penalty_months": 6})
    assert 'data-testid="error-name"' in response.content.decode()
    response = client.post(reverse("blacklist:category_add"),
                           {"name": "冒用他人证件", "default_penalty_months": 24, "voids_score": "on"})
    assert response.status_code == 302
    cat = ViolationCategory.objects.get(name="冒用他人证件")
    response = client.post(reverse("blacklist:category_edit", args=[cat.pk]),
                           {"name": "冒用他人证件", "default_penalty_months": 24, "voids_score": "on"})
    assert response.status_code == 302
    cat.refresh_from_db()
    assert cat.is_active is False
    # a deactivated category is no longer offered for new entries
    client.get(reverse("blacklist:categories"))  # shows (and so clears) the success messages
    html = client.get(reverse("blacklist:add")).content.decode()
    assert "替考（默认" in html and "冒用他人证件" not in html
