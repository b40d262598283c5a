import pytest
from django.urls import reverse

from jobs.models import Job, JobStatus
from jobs.services import job_create, job_enqueue, job_finish, job_progress

pytestmark = pytest.mark.django_db


def count_to(*, job, n):
    for i in range(1, n + 1):
        job_progress(job, done=i, total=n)
    job_finish(job, result={"counted": n}, message="完成")


def explode(*, job):
    from core.errors import ApplicationError

    raise ApplicationError("文件损坏，无法读取")


def test_job_runs_and_reports_progress(world):
    job = job_create(kind="test", title="计数", acting_user=world.admin_a, region=world.region_a)
    job_enqueue(job, "jobs.tests.test_jobs:count_to", n=5)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result == {"counted": 5} and job.percent == 100


def test_failed_job_is_marked_failed_with_the_reason(world):
    job = job_create(kind="test", title="失败", acting_user=world.admin_a, region=world.region_a)
    job_enqueue(job, "jobs.tests.test_jobs:explode")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == "文件损坏，无法读取"
    assert job.finished_at is not None


def test_wrong_function_path_fails_before_queueing(world):
    job = job_create(kind="test", title="x", acting_user=world.admin_a)
    with pytest.raises(AttributeError):
        job_enqueue(job, "jobs.tests.test_jobs:no_such_function")


def test_progress_partial_polls_until_done(client, world):
    job = job_create(kind="test", title="计数", acting_user=world.admin_a, region=world.region_a, total=10)
    job_progress(job, done=4)
    client.force_login(world.admin_a)
    html = client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in html and "4 / 10" in html
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
    html = client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html


def test_result_file_downloads_for_the_region_only(client, world, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    job = job_create(kind="test", title="导出", acting_user=world.admin_a, region=world.region_a)
    path = default_storage.save("jobs/test.txt", ContentFile(b"hello"))
    job_finish(job, file_path=path, filename="结果.txt")
    client.force_login(world.admin_a)
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"hello"
    client.force_login(world.admin_b)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_thread_mode_runs_after_commit(world, settings, django_capture_on_commit_callbacks):
    settings.JOBS_EAGER_MODE = "thread"
    job = job_create(kind="test", title="线程", acting_user=world.admin_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job_enqueue(job, "jobs.tests.test_jobs:count_to", n=2)
    assert len(callbacks) == 1  # nothing runs until the transaction commits
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
