"""成绩管理 (docs/decisions.md#score-sheet): the 成绩单's columns and states, its filters, the export in parts and
whole, and who may read it (a region: its own published plans only)."""

import io

import pytest
from django.http import Http404
from django.urls import reverse
from python_calamine import CalamineWorkbook

from audit.models import AuditLog
from core.masking import mask_id_number
from results import selectors
from results.models import Score

pytestmark = pytest.mark.django_db


def _rows(plan, user, **filters):
    return [selectors.sheet_cells(r) for r in selectors.score_sheet_values(
        selectors.score_sheet(plan=plan, filters=filters, fetched_by=user))]


def test_the_sheet_has_the_guides_columns_and_states(world, published):
    rows = {r[0]: r for r in _rows(published.plan, world.admin_a)}
    assert len(rows) == 61
    copier = published.copier.registration
    assert rows[copier.candidate_number] == [
        copier.candidate_number, copier.person.name, mask_id_number(copier.person.id_number), copier.company_name,
        copier.personnel_type, "", "不合格", "违规作废"]
    absent = rows[published.absent.candidate_number]
    assert absent[5:] == ["", "不合格", "缺考"]
    source = published.source.registration
    score = Score.objects.get(attempt=published.source)
    assert rows[source.candidate_number][5:] == [str(score.total), "合格" if score.passed else "不合格", "正常"]
    assert all("*" in r[2] for r in rows.values())  # 证件号码 masked everywhere


def test_the_sheet_takes_the_candidate_lists_filters(world, published):
    copier = published.copier.registration
    assert [r[0] for r in _rows(published.plan, world.admin_a, name=copier.person.name)] == [
        r.candidate_number for r in published.registrations + [published.absent]
        if r.person.name.startswith(copier.person.name)]
    only_b = _rows(published.plan, world.admin_a, personnel_type="B")
    assert only_b and all(r[4] == "B" for r in only_b)
    by_id = _rows(published.plan, world.admin_a, id_number=copier.person.id_number)
    assert [r[0] for r in by_id] == [copier.candidate_number]


def test_a_region_reads_only_its_own_published_plans(world, built, published):
    assert selectors.score_plan_get(plan_id=published.plan.pk, fetched_by=world.admin_a) == published.plan
    with pytest.raises(Http404):
        selectors.score_plan_get(plan_id=published.plan.pk, fetched_by=world.admin_b)
    assert list(selectors.score_plans(fetched_by=world.admin_b)) == []
    assert list(selectors.score_plans(fetched_by=world.admin_a)) == [published.plan]


def test_an_unpublished_plan_is_not_the_regions(client, world, built):
    with pytest.raises(Http404):
        selectors.score_plan_get(plan_id=built.plan.pk, fetched_by=world.admin_a)
    assert list(selectors.score_plans(fetched_by=world.admin_a)) == []
    assert selectors.score_plan_get(plan_id=built.plan.pk, fetched_by=world.central) == built.plan
    client.force_login(world.admin_a)
    assert client.get(reverse("results:sheet", args=[built.plan.pk])).status_code == 404
    assert client.post(reverse("results:export", args=[built.plan.pk])).status_code == 404
    assert built.plan.batch_no not in client.get(reverse("results:list")).content.decode()
    assert not AuditLog.objects.filter(action="score.export").exists()


def test_the_sheet_page(client, world, published):
    client.force_login(world.admin_a)
    page = client.get(reverse("results:list")).content.decode()
    assert published.plan.batch_no in page and "已发布" in page
    page = client.get(reverse("results:sheet", args=[published.plan.pk])).content.decode()
    assert "违规作废" in page and "缺考" in page and "考生 61 人" in page
    assert published.copier.registration.person.id_number not in page
    filtered = client.get(reverse("results:sheet", args=[published.plan.pk]), {"personnel_type": "C"}).content.decode()
    assert "<td>B</td>" not in filtered


def _xlsx(response) -> list[list[str]]:
    data = b"".join(response.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_index(0).to_python()


def test_export_the_whole_sheet_and_a_part(client, world, published):
    client.force_login(world.admin_a)
    url = reverse("results:export", args=[published.plan.pk])
    response = client.post(url)
    assert response.status_code == 200 and "%E6%88%90%E7%BB%A9%E5%8D%95_" in response["Content-Disposition"]  # 成绩单_
    rows = _xlsx(response)
    assert rows[0] == selectors.SHEET_HEADERS
    assert len(rows) == 62
    copier = next(r for r in rows if r[0] == published.copier.registration.candidate_number)
    assert copier[7] == "违规作废" and copier[5] == "" and "*" in copier[2]
    log = AuditLog.objects.get(action="score.export")
    assert log.region_id == world.region_a.pk and log.after["rows"] == 61
    part = client.post(url + "?personnel_type=A", {"part": "1"})
    rows = _xlsx(part)
    assert len(rows) > 1 and all(r[4] == "A" for r in rows[1:])
    missing = client.post(url, {"part": "2"})
    assert missing.status_code == 302 and AuditLog.objects.filter(action="score.export").count() == 2


def test_a_whole_export_above_the_limit_goes_to_a_job(client, world, published, monkeypatch):
    from jobs.models import Job
    from results import views

    monkeypatch.setattr(views, "EXPORT_SYNC_LIMIT", 10)
    client.force_login(world.admin_a)
    response = client.post(reverse("results:export", args=[published.plan.pk]))
    job = Job.objects.get(kind="results.export")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == "done" and job.result == {"rows": 61} and job.region_id == world.region_a.pk
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert len(_xlsx(download)) == 62


def _printed(client, plan, query=""):
    from jobs.models import Job

    response = client.post(reverse("results:pdf", args=[plan.pk]) + query)
    job = Job.objects.filter(kind="results.pdf").latest("created_at")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == "done", job.message
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    return job, b"".join(download.streaming_content)


def test_the_printable_sheet_embeds_the_chinese_font(client, world, published):
    from core.pdf import read_text

    client.force_login(world.admin_a)
    assert client.get(reverse("results:pdf", args=[published.plan.pk])).status_code == 405
    job, content = _printed(client, published.plan)
    assert job.region_id == world.region_a.pk and job.result == {"rows": 61}
    text = "".join(read_text(content))
    copier = published.copier.registration
    assert "考核成绩单" in text and "违规作废" in text and "缺考" in text
    assert copier.candidate_number in text and copier.person.name in text
    assert copier.person.id_number not in text and mask_id_number(copier.person.id_number) in text
    assert b"/FontFile" in content  # the font travels with the file
    log = AuditLog.objects.get(action="score.print")
    assert log.after["rows"] == 61 and log.region_id == world.region_a.pk
    _job, filtered = _printed(client, published.plan, "?personnel_type=C")
    filtered = "".join(read_text(filtered))
    numbers = {r.candidate_number: r.personnel_type for r in published.registrations}
    assert any(n in filtered for n, t in numbers.items() if t == "C")
    assert not any(n in filtered for n, t in numbers.items() if t != "C")


def test_the_printable_sheet_is_refused_like_the_sheet(client, world, built):
    from jobs.models import Job

    client.force_login(world.admin_a)
    assert client.post(reverse("results:pdf", args=[built.plan.pk])).status_code == 404  # unpublished
    assert not AuditLog.objects.filter(action="score.print").exists() and not Job.objects.filter(kind="results.pdf").exists()


def test_a_published_plan_reads_as_published_in_the_plan_list(client, world, published):
    from plans.rules import Phase, phase
    from plans.selectors import plan_list

    plan = plan_list(filters={"batch_no": published.plan.batch_no}, fetched_by=world.admin_a).get()
    assert phase(plan) == Phase.PUBLISHED
    client.force_login(world.admin_a)
    page = client.get(reverse("plans:list"), {"batch_no": published.plan.batch_no}).content.decode()
    assert Phase.PUBLISHED in page


def test_an_invalid_filter_shows_no_rows_and_exports_or_prints_nothing(client, world, published):
    """The one behaviour of every list (core.filters): a message naming the field, no rows, no file."""
    from jobs.models import Job

    client.force_login(world.admin_a)
    sheet = reverse("results:sheet", args=[published.plan.pk])
    page = client.get(sheet, {"personnel_type": "Z"}).content.decode()
    assert 'data-testid="filter-invalid"' in page and "筛选条件有误" in page
    assert published.copier.registration.candidate_number not in page
    jobs_before = Job.objects.count()
    for name in ("results:export", "results:pdf"):
        response = client.post(reverse(name, args=[published.plan.pk]) + "?personnel_type=Z", follow=True)
        assert "筛选条件有误" in response.content.decode()
        assert "spreadsheetml" not in response.get("Content-Type", "")
    assert Job.objects.count() == jobs_before
    assert not AuditLog.objects.filter(action__in=["score.export", "score.print"]).exists()
