"""The background export of the candidate list reads its rows inside core.replica.replica_reads
(a streaming replica when one is configured), and only those: the filter's own check and the
job's progress stay on the primary."""

import pytest

from core import replica
from jobs.models import Job, JobStatus

from .factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_the_export_job_fetches_its_rows_inside_replica_reads(world, monkeypatch):
    from candidates import selectors
    from jobs.services import job_create, job_run

    RegistrationFactory.create_batch(3, plan__region=world.region_a)
    seen = []
    original = selectors.registration_export_values

    def spy(qs):
        seen.append(replica._reading.get())
        return original(qs)

    monkeypatch.setattr(selectors, "registration_export_values", spy)
    job = job_create(kind="candidates.export", title="导出", acting_user=world.admin_a, region=world.region_a)
    job_run(job.pk, "candidates.notices:run_export", {"user_id": world.admin_a.pk, "query": "", "full": False})
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.DONE and job.result == {"rows": 3}
    assert seen == [True]
    assert replica._reading.get() is False
