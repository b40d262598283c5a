"""The background export of a 成绩单 reads its rows inside core.replica.replica_reads (a
streaming replica when one is configured); the plan's own check and the job stay on the primary."""

import pytest

from core import replica
from jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def test_the_sheet_export_job_fetches_its_rows_inside_replica_reads(world, published, monkeypatch):
    from jobs.services import job_create, job_run
    from results import selectors

    seen = []
    original = selectors.score_sheet

    def spy(**kwargs):
        seen.append(replica._reading.get())
        return original(**kwargs)

    monkeypatch.setattr(selectors, "score_sheet", spy)
    job = job_create(kind="results.export", title="导出成绩单", acting_user=world.admin_a, region=world.region_a)
    job_run(job.pk, "results.exports:run_export", {"user_id": world.admin_a.pk, "plan_id": published.plan.pk,
                                                   "query": ""})
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.DONE and job.result["rows"] > 0, job.message
    assert seen == [True] and replica._reading.get() is False
