"""Every answercards view through testing.scoping.assert_scoping: anonymous → login, a candidate →
403, another region's 管局 → 404 (nothing changed), the plan's own 管局 and central succeed;
central-only views (the key, the close of the scanning) refuse every 管局."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from answercards.importing.services import card_import_upload
from answercards.models import AnswerCard, CardImportRun, CardPlan, ExamRoom, PaperVersion
from core.roles import Role
from jobs.models import Job
from plans.models import ExamPlan
from testing.scoping import ScopeCase, assert_scoping

from .files import card_rows, upload_rows, xlsx_openpyxl

pytestmark = pytest.mark.django_db
ADMINS = {Role.CENTRAL, Role.REGIONAL}
CENTRAL = {Role.CENTRAL}


def test_plan_list_scoping(client, world, seated):
    assert_scoping(client, world, ScopeCase(url=reverse("answercards:plans"), roles=ADMINS,
                                            hidden_text=seated.batch_no))


def test_plan_scoping(client, world, seated):
    assert_scoping(client, world, ScopeCase(url=reverse("answercards:plan", args=[seated.pk]), roles=ADMINS,
                                            owner_region=world.region_a))


def test_rooms_generate_scoping(client, world, plan, regs):
    start = timezone.now() + datetime.timedelta(hours=20)  # frozen, not begun
    ExamPlan.objects.filter(pk=plan.pk).update(starts_at=start, ends_at=start + datetime.timedelta(hours=2))

    def unchanged():
        assert not ExamRoom.objects.exists() and not CardPlan.objects.exists()

    assert_scoping(client, world, ScopeCase(url=reverse("answercards:rooms_generate", args=[plan.pk]), method="post",
                                            data={"room_size": "5", "version_count": "2"}, roles=ADMINS,
                                            owner_region=world.region_a, unchanged=unchanged))
    assert ExamRoom.objects.filter(plan=plan).exists()


def test_print_scoping(client, world, seated):
    def unchanged():
        assert not Job.objects.exists()

    assert_scoping(client, world, ScopeCase(url=reverse("answercards:print", args=[seated.pk, "roster"]),
                                            method="post", roles=ADMINS, owner_region=world.region_a,
                                            unchanged=unchanged))


def test_import_page_scoping(client, world, seated):
    assert_scoping(client, world, ScopeCase(url=reverse("answercards:import", args=[seated.pk]), roles=ADMINS,
                                            owner_region=world.region_a))


def test_import_upload_scoping(client, world, seated, regs):
    content = xlsx_openpyxl(card_rows(regs[:2]))

    class Upload(io.BytesIO):
        name = "scan.xlsx"

    def unchanged():
        assert not CardImportRun.objects.exists() and not AnswerCard.objects.exists()

    case = ScopeCase(url=reverse("answercards:import", args=[seated.pk]), method="post", roles=ADMINS,
                     owner_region=world.region_a, unchanged=unchanged, try_allowed=False)
    case.data = {"file": Upload(content)}
    assert_scoping(client, world, case)
    client.force_login(world.admin_a)
    response = client.post(reverse("answercards:import", args=[seated.pk]), {"file": Upload(content)})
    assert response.status_code == 302 and AnswerCard.objects.count() == 2


def test_close_scoping(client, world, seated):
    def unchanged():
        assert not CardPlan.objects.get(plan=seated).scanning_closed_at

    assert_scoping(client, world, ScopeCase(url=reverse("answercards:close", args=[seated.pk]), method="post",
                                            roles=CENTRAL, owner_region=world.region_a, unchanged=unchanged))
    assert CardPlan.objects.get(plan=seated).scanning_closed_at


def test_room_scoping(client, world, seated):
    room = ExamRoom.objects.filter(plan=seated).first()
    for name in ("answercards:room", "answercards:room_roster"):
        assert_scoping(client, world, ScopeCase(url=reverse(name, args=[room.pk]), roles=ADMINS,
                                                owner_region=world.region_a))


def test_booklet_scoping(client, world, seated):
    version = PaperVersion.objects.filter(plan=seated).first()
    assert_scoping(client, world, ScopeCase(url=reverse("answercards:booklet", args=[version.pk]), roles=ADMINS,
                                            owner_region=world.region_a))


def test_key_scoping(client, world, seated):
    version = PaperVersion.objects.filter(plan=seated).first()
    assert_scoping(client, world, ScopeCase(url=reverse("answercards:key", args=[version.pk]), roles=CENTRAL,
                                            owner_region=world.region_a))


def test_template_scoping(client, world):
    assert_scoping(client, world, ScopeCase(url=reverse("answercards:import_template"), roles=ADMINS))


def test_import_run_and_report_scoping(client, world, seated, regs):
    rows = card_rows(regs[:2])
    rows[0][1] = "Z"
    from .files import upload

    run = card_import_upload(plan=seated, **upload(xlsx_openpyxl(rows), "scan.xlsx"), acting_user=world.admin_a)
    assert run.failed_count == 1
    for name in ("answercards:import_run", "answercards:import_report"):
        assert_scoping(client, world, ScopeCase(url=reverse(name, args=[run.pk]), roles=ADMINS,
                                                owner_region=world.region_a))


def test_a_gd_plan_is_refused_to_beijing(client, world, rule):
    """The suite's other direction: 广东's plan, 北京's 管局 gets 404 everywhere."""
    from regions.models import Region

    from .factories import offline_plan, register, seat

    gd = offline_plan(region=Region.objects.get(code="44"))
    regs = register(gd, 3)
    seat(gd, world.admin_b)
    card_import_upload(plan=gd, **upload_rows(regs), acting_user=world.admin_b)
    assert_scoping(client, world, ScopeCase(url=reverse("answercards:plan", args=[gd.pk]), roles=ADMINS,
                                            owner_region=world.region_b))
    client.force_login(world.admin_a)
    version = PaperVersion.objects.filter(plan=gd).first()
    room = ExamRoom.objects.filter(plan=gd).first()
    run = CardImportRun.objects.get(plan=gd)
    for url in (reverse("answercards:booklet", args=[version.pk]), reverse("answercards:room", args=[room.pk]),
                reverse("answercards:import_run", args=[run.pk]), reverse("answercards:import", args=[gd.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("answercards:rooms_generate", args=[gd.pk]),
                       {"room_size": "5", "version_count": "2"}).status_code == 404
