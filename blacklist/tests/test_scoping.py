"""Every blacklist view tried as anonymous, the wrong role, another region's administrator and
the right user (testing.scoping.assert_scoping), plus the registration path of regional scoping."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.actions import Action
from audit.models import AuditLog
from blacklist.models import BlacklistEntry, EntryStatus, ViolationCategory
from blacklist.tests.factories import category, make_entry
from candidates.tests.factories import RegistrationFactory
from core.roles import Role
from people.tests.factories import PersonFactory, resident_id_type
from plans.tests.factories import ExamPlanFactory
from testing.scoping import ScopeCase, assert_scoping

CENTRAL_ONLY = {Role.CENTRAL}
PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def entry_a(world):
    return make_entry(central=world.central, region=world.region_a, name="北京违规人",
                      evidence_file=SimpleUploadedFile("证据.pdf", PDF))


@pytest.mark.django_db
def test_list_scoping(client, world, entry_a):
    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:list"), hidden_text="北京违规人"))


@pytest.mark.django_db
def test_export_scoping(client, world, entry_a):
    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:export")))


@pytest.mark.django_db
def test_detail_scoping(client, world, entry_a):
    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:detail", args=[entry_a.pk]),
                                            owner_region=world.region_a))


@pytest.mark.django_db
def test_add_scoping(client, world):
    data = {"id_type": resident_id_type().pk, "id_number": "11010519491231002X", "name": "某人", "region": world.region_a.pk,
            "category": category().pk, "penalty_start": "2026-01-01", "evidence_note": "x"}
    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:add"), roles=CENTRAL_ONLY))
    assert_scoping(client, world, ScopeCase(
        url=reverse("blacklist:add"), method="post", data=data, roles=CENTRAL_ONLY, try_allowed=False,
        unchanged=lambda: not BlacklistEntry.objects.exists() or pytest.fail("created by a refused user")))


@pytest.mark.django_db
def test_add_from_registration_scoping(client, world):
    reg = RegistrationFactory(plan=ExamPlanFactory(region=world.region_a))
    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:add_from_registration"), roles=CENTRAL_ONLY,
                                            data={"q": reg.candidate_number}))
    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:add_from_registration"), roles=CENTRAL_ONLY,
                                            data={"registration": reg.pk}))


@pytest.mark.django_db
def test_edit_scoping(client, world, entry_a):
    data = {"name": entry_a.name, "company_name": "改", "region": world.region_a.pk, "category": entry_a.category_id,
            "penalty_start": f"{entry_a.penalty_start:%Y-%m-%d}", "penalty_end": f"{entry_a.penalty_end:%Y-%m-%d}",
            "evidence_note": entry_a.evidence_note, "reason": "核对"}

    def unchanged():
        entry_a.refresh_from_db()
        assert entry_a.company_name != "改"

    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:edit", args=[entry_a.pk]), roles=CENTRAL_ONLY))
    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:edit", args=[entry_a.pk]), method="post",
                                            data=data, roles=CENTRAL_ONLY, unchanged=unchanged))


@pytest.mark.django_db
def test_revoke_scoping(client, world, entry_a):
    def unchanged():
        entry_a.refresh_from_db()
        assert entry_a.status == EntryStatus.ACTIVE

    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:revoke", args=[entry_a.pk]), roles=CENTRAL_ONLY))
    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:revoke", args=[entry_a.pk]), method="post",
                                            data={"reason": "申诉成立"}, roles=CENTRAL_ONLY, unchanged=unchanged))


@pytest.mark.django_db
def test_reveal_scoping(client, world, entry_a):
    def unchanged():
        assert not AuditLog.objects.filter(action=Action.BLACKLIST_REVEAL_ID_NUMBER).exists()

    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:reveal", args=[entry_a.pk]), method="post",
                                            roles=CENTRAL_ONLY, unchanged=unchanged))


@pytest.mark.django_db
def test_evidence_scoping(client, world, entry_a):
    """Decision: evidence files are central-only (regions see the entry, not the file)."""
    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:evidence", args=[entry_a.pk]), roles=CENTRAL_ONLY))


@pytest.mark.django_db
def test_conflicts_scoping(client, world):
    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:conflicts"), roles=CENTRAL_ONLY))


@pytest.mark.django_db
def test_categories_scoping(client, world):
    cat = ViolationCategory.objects.first()
    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:categories"), roles=CENTRAL_ONLY))
    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:category_add"), roles=CENTRAL_ONLY))
    assert_scoping(client, world, ScopeCase(url=reverse("blacklist:category_edit", args=[cat.pk]), roles=CENTRAL_ONLY))
    before = ViolationCategory.objects.count()
    assert_scoping(client, world, ScopeCase(
        url=reverse("blacklist:category_add"), method="post", roles=CENTRAL_ONLY, try_allowed=False,
        data={"name": "新违规", "default_penalty_months": 6, "voids_score": "on"},
        unchanged=lambda: ViolationCategory.objects.count() == before or pytest.fail("category added")))


@pytest.mark.django_db
def test_region_b_never_sees_region_a_entry_only_that_its_registration_is_suspended(client, world):
    """docs/decisions.md#blacklist-own-region: registering another region's blacklisted person shows region B only that the
    person is barred and until when (停考 on its own roster), never the entry (name, company,
    category, penalty details); region A sees its own entry in full."""
    person = PersonFactory(name="跨区人员")
    RegistrationFactory(person=person, plan=ExamPlanFactory(region=world.region_a))
    entry = make_entry(central=world.central, region=world.region_a, person=person, company_name="甲区某通信公司")
    detail = reverse("blacklist:detail", args=[entry.pk])
    mine = RegistrationFactory(person=person, plan=ExamPlanFactory(region=world.region_b, days_ahead=20),
                               company_name="乙区公司")
    client.force_login(world.admin_b)
    assert client.get(detail).status_code == 404
    listing = client.get(reverse("blacklist:list")).content.decode()
    assert "跨区人员" not in listing and "甲区某通信公司" not in listing
    assert client.get(reverse("blacklist:export")).status_code in (200, 302)
    roster = client.get(reverse("candidates:detail", args=[mine.pk])).content.decode()
    assert "停考" in roster and f"{entry.penalty_end:%Y-%m-%d}" in roster
    assert entry.category.name not in roster and "甲区某通信公司" not in roster and entry.evidence_note not in roster
    client.force_login(world.admin_a)
    assert client.get(detail).status_code == 200
    assert "跨区人员" in client.get(reverse("blacklist:list")).content.decode()
