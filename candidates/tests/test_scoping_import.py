"""Every import view tried as anonymous, the wrong role, another region's administrator and the
right users (testing.scoping.assert_scoping). Another region's plan or run is a 404."""

import io

import pytest
from django.urls import reverse

from candidates.importing.choices import RunStatus
from candidates.importing.samples import sample_rows, write_xlsx
from candidates.importing.services import import_file, import_upload
from candidates.models import ImportRun, Registration
from core.roles import Role
from plans.tests.factories import ExamPlanFactory
from testing.scoping import ScopeCase, assert_scoping

pytestmark = pytest.mark.django_db


class ReusableUpload(io.BytesIO):
    """A file the test client can send several times (it reads it once per request)."""

    def __init__(self, content: bytes, name: str):
        super().__init__(content)
        self.name = name

    def read(self, *args):
        self.seek(0)
        return super().read(*args)


@pytest.fixture
def plan_a(world):
    return ExamPlanFactory(region=world.region_a)


@pytest.fixture
def done_run(world, plan_a, tmp_path):
    path = tmp_path / "a.xlsx"
    write_xlsx(sample_rows(3), path)
    return import_file(plan=plan_a, path=path, acting_user=world.admin_a, file_name="北京考生名单.xlsx")


def test_import_page_scoping(client, world, plan_a):
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:import", args=[plan_a.pk]),
                                            owner_region=world.region_a))


def test_import_upload_scoping(client, world, plan_a):
    upload = ReusableUpload(write_xlsx(sample_rows(2)), "名单.xlsx")

    def unchanged():
        assert not ImportRun.objects.exists()

    assert_scoping(client, world, ScopeCase(
        url=reverse("candidates:import_upload", args=[plan_a.pk]), method="post", data={"file": upload},
        owner_region=world.region_a, unchanged=unchanged,
    ))
    assert ImportRun.objects.filter(status=RunStatus.UPLOADED).count() == 2  # central and admin_a
    assert not Registration.objects.exists()  # uploading imports nothing yet


def test_import_start_scoping(client, world, plan_a):
    run = import_upload(plan=plan_a, uploaded_file=io.BytesIO(write_xlsx(sample_rows(2))), file_name="a.xlsx",
                        acting_user=world.admin_a)

    def unchanged():
        run.refresh_from_db()
        assert run.status == RunStatus.UPLOADED and not Registration.objects.exists()

    assert_scoping(client, world, ScopeCase(
        url=reverse("candidates:import_start", args=[run.pk]), method="post",
        owner_region=world.region_a, unchanged=unchanged,
    ))
    assert Registration.objects.filter(plan=plan_a).count() == 2


def test_import_runs_scoping(client, world, done_run):
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:import_runs"), hidden_text="北京考生名单.xlsx"))


def test_import_run_scoping(client, world, done_run):
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:import_run", args=[done_run.pk]),
                                            owner_region=world.region_a))


def test_import_report_scoping(client, world, done_run):
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:import_report", args=[done_run.pk]),
                                            owner_region=world.region_a))


def test_import_template_scoping(client, world):
    assert_scoping(client, world, ScopeCase(url=reverse("candidates:import_template"),
                                            roles={Role.CENTRAL, Role.REGIONAL}))


def test_import_readd_scoping(client, world, plan_a, tmp_path):
    """确认重新添加: another region's administrator gets 404 and re-adds nothing."""
    from candidates.services import registration_delete

    path = tmp_path / "a.xlsx"
    write_xlsx(sample_rows(2), path)
    import_file(plan=plan_a, path=path, acting_user=world.admin_a)
    registration_delete(registration=Registration.objects.filter(plan=plan_a).first(), acting_user=world.admin_a)
    run = import_file(plan=plan_a, path=path, acting_user=world.admin_a)
    assert len(run.deleted_rows) == 1

    def unchanged():
        assert Registration.objects.filter(plan=plan_a).count() == 1

    assert_scoping(client, world, ScopeCase(
        url=reverse("candidates:import_readd", args=[run.pk]), method="post",
        owner_region=world.region_a, unchanged=unchanged,
    ))
    assert Registration.objects.filter(plan=plan_a).count() == 2
