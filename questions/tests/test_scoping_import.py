"""The bank's import and export views through the scoping suite: central only."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.roles import Role
from questions.importing.columns import SHEET
from questions.importing.services import bank_import
from questions.models import QuestionImportRun
from questions.services import area_create
from testing.scoping import ScopeCase, assert_scoping

pytestmark = pytest.mark.django_db
CENTRAL = {Role.CENTRAL}


def _file():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET.name
    ws.append(SHEET.headers)
    ws.append(["SX-0001", "判断题", "动火作业前应清除周围易燃物。", *[None] * 8, "正确", None, "动火作业与消防", "ABC",
               "新取证(线上)", "2"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def run(world):
    area_create(name="动火作业与消防", acting_user=world.central)
    return bank_import(source=io.BytesIO(_file()), file_name="a.xlsx", acting_user=world.central)


def test_import_page_scoping(client, world, run):
    assert_scoping(client, world, ScopeCase(url=reverse("questions:import"), roles=CENTRAL))
    before = QuestionImportRun.objects.count()
    for user in (world.admin_a, world.candidate):
        client.force_login(user)
        upload = SimpleUploadedFile("b.xlsx", _file())
        assert client.post(reverse("questions:import"), {"file": upload}).status_code == 403
    assert QuestionImportRun.objects.count() == before


def test_template_scoping(client, world):
    assert_scoping(client, world, ScopeCase(url=reverse("questions:import_template"), roles=CENTRAL))


def test_run_scoping(client, world, run):
    assert_scoping(client, world, ScopeCase(url=reverse("questions:import_run", args=[run.pk]), roles=CENTRAL))


def test_report_scoping(client, world, run):
    assert_scoping(client, world, ScopeCase(url=reverse("questions:import_report", args=[run.pk]), roles=CENTRAL))


def test_export_scoping(client, world, run):
    assert_scoping(client, world, ScopeCase(url=reverse("questions:export"), roles=CENTRAL))
