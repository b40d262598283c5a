"""Every results view through testing.scoping.assert_scoping: 成绩管理 is central's and the plan's
own region's, and only once the plan's scores are published (results/tests/test_sheet.py tries
the unpublished plan); a candidate gets 403, another region 404 with nothing exported."""

import pytest
from django.urls import reverse

from audit.models import AuditLog
from core.roles import Role
from testing.scoping import ScopeCase, assert_scoping

pytestmark = pytest.mark.django_db
ADMINS = {Role.CENTRAL, Role.REGIONAL}


def test_list_scoping(client, world, published):
    assert_scoping(client, world, ScopeCase(url=reverse("results:list"), roles=ADMINS,
                                            hidden_text=published.plan.batch_no))


def test_sheet_scoping(client, world, published):
    assert_scoping(client, world, ScopeCase(url=reverse("results:sheet", args=[published.plan.pk]), roles=ADMINS,
                                            owner_region=world.region_a))


def test_export_scoping(client, world, published):
    def nothing_exported():
        assert not AuditLog.objects.filter(action="score.export").exists()

    assert_scoping(client, world, ScopeCase(url=reverse("results:export", args=[published.plan.pk]), method="post",
                                            roles=ADMINS, owner_region=world.region_a, unchanged=nothing_exported))
    assert AuditLog.objects.filter(action="score.export").count() == 2  # central and the region


def test_pdf_scoping(client, world, published):
    def nothing_printed():
        from jobs.models import Job

        assert not AuditLog.objects.filter(action="score.print").exists() and not Job.objects.filter(kind="results.pdf").exists()

    assert_scoping(client, world, ScopeCase(url=reverse("results:pdf", args=[published.plan.pk]), method="post",
                                            roles=ADMINS, owner_region=world.region_a, unchanged=nothing_printed))
