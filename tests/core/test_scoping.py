import pytest
from django.http import Http404
from django.urls import reverse

from accounts.models import User
from audit.actions import Action
from audit.models import AuditLog
from audit.services import audit_record
from core.roles import Role
from core.scoping import get_visible_or_404, scope_queryset
from regions.models import Region
from testing.scoping import ScopeCase, assert_scoping

pytestmark = pytest.mark.django_db


def test_central_sees_every_region(world):
    assert Region.objects.visible_to(world.central).count() == 32


def test_regional_sees_only_its_region(world):
    assert list(Region.objects.visible_to(world.admin_a)) == [world.region_a]


def test_candidate_and_anonymous_see_no_region(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Region.objects.visible_to(world.candidate).exists()
    assert not Region.objects.visible_to(AnonymousUser()).exists()


def test_inactive_user_sees_nothing(world):
    world.central.is_active = False
    assert not scope_queryset(Region.objects.all(), world.central).exists()


def test_other_regions_object_is_404_like_a_missing_one(world):
    entry = audit_record(actor=world.admin_a, action=Action.PLAN_UPDATE, region=world.region_a)
    assert get_visible_or_404(AuditLog, world.admin_a, pk=entry.pk) == entry
    with pytest.raises(Http404):
        get_visible_or_404(AuditLog, world.admin_b, pk=entry.pk)
    with pytest.raises(Http404):
        get_visible_or_404(AuditLog, world.admin_b, pk=10**9)


def test_candidate_sees_only_itself(world):
    assert list(User.objects.visible_to(world.candidate)) == [world.candidate]


def test_core_views_scoping(client, world):
    # The health page is public by design (load balancers); the home page is public.
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get(reverse("core:health")).status_code in (200, 503)


def test_audit_views_scoping(client, world):
    entry = audit_record(actor=world.admin_a, action=Action.PLAN_CREATE, region=world.region_a, message="scoping-marker")
    assert_scoping(client, world, ScopeCase(url=reverse("audit:list"), roles={Role.CENTRAL}))
    assert_scoping(client, world, ScopeCase(url=reverse("audit:detail", args=[entry.pk]), roles={Role.CENTRAL}))


def test_jobs_views_scoping(client, world):
    from jobs.services import job_create

    job = job_create(kind="test", title="scoped job", acting_user=world.admin_a, region=world.region_a)
    assert_scoping(client, world, ScopeCase(url=reverse("jobs:detail", args=[job.pk]), owner_region=world.region_a))
    # a job without a result file is a 404 for everyone, the owner included
    client.force_login(world.admin_a)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    client.force_login(world.admin_b)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_job_download_scoping(client, world):
    """A job's file is its creator's only: central and a colleague see the job, never the file."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from jobs.services import job_create, job_finish

    job = job_create(kind="test", title="导出", acting_user=world.admin_a, region=world.region_a)
    job_finish(job, file_path=default_storage.save("jobs/scoping.txt", ContentFile(b"rows")), filename="结果.txt")
    assert_scoping(client, world, ScopeCase(url=reverse("jobs:download", args=[job.pk]), roles={Role.REGIONAL},
                                            owner_region=world.region_a, ok=(200,)))


def test_assert_scoping_catches_a_leaky_view(client, world, settings):
    """The suite itself must fail on a view that forgets scoping."""
    from django.http import HttpResponse
    from django.urls import path

    from core.permissions import admin_required

    @admin_required
    def leaky(request, pk):
        return HttpResponse(str(AuditLog.objects.get(pk=pk).pk))  # no visible_to: a bug

    entry = audit_record(actor=world.admin_a, action=Action.PLAN_UPDATE, region=world.region_a)

    import config.urls

    class Urls:
        urlpatterns = [*config.urls.urlpatterns, path("leaky/<int:pk>/", leaky, name="leaky")]

    settings.ROOT_URLCONF = Urls
    with pytest.raises(AssertionError, match="other region got 200"):
        assert_scoping(client, world, ScopeCase(url=f"/leaky/{entry.pk}/", owner_region=world.region_a))


def test_get_visible_or_404_applies_a_declared_extra_path(world):
    """The audit rows about a person registered in a region are that region's too (declared by
    the candidates app to core.scoping): get_visible_or_404 and visible_to agree on them."""
    from candidates.tests.factories import RegistrationFactory
    from plans.tests.factories import ExamPlanFactory

    registration = RegistrationFactory(plan=ExamPlanFactory(region=world.region_b))
    entry = audit_record(actor=world.central, action=Action.PERSON_UPDATE, obj=registration.person,
                         region=world.region_a)
    assert get_visible_or_404(AuditLog, world.admin_b, pk=entry.pk) == entry
    assert AuditLog.objects.visible_to(world.admin_b).filter(pk=entry.pk).exists()
    other = audit_record(actor=world.central, action=Action.PLAN_UPDATE, region=world.region_a)
    with pytest.raises(Http404):
        get_visible_or_404(AuditLog, world.admin_b, pk=other.pk)


def test_a_malformed_key_is_404_not_a_crash(client, world):
    """Job's key is a UUID: ?job=abc must answer like a missing record."""
    from jobs.models import Job
    from plans.tests.factories import ExamPlanFactory

    with pytest.raises(Http404):
        get_visible_or_404(Job, world.central, pk="abc")
    plan = ExamPlanFactory(region=world.region_a)
    client.force_login(world.admin_a)
    assert client.get(f"/candidates/plans/{plan.pk}/notice/", {"job": "abc"}).status_code == 200  # as if no job
