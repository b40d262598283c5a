"""The candidate list's one filter definition (candidates.forms.CandidateFilterForm; decisions.md "One filter definition per list"): the same query
string gives the same rows on the page, in the file written during the request and in the file
of the background export job; an invalid filter gives no rows, no file and no export record."""

import io

import openpyxl
import pytest
from django.urls import reverse

from audit.models import AuditLog
from candidates import services
from candidates.forms import CandidateFilterForm
from candidates.tests.factories import RegistrationFactory
from jobs.models import Job, JobStatus
from plans.choices import ExamType
from plans.tests.factories import ExamPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    p1 = ExamPlanFactory(region=world.region_a, exam_type=ExamType.NEW_ONLINE)
    p2 = ExamPlanFactory(region=world.region_a, exam_type=ExamType.CONTINUING_ONLINE, days_ahead=400)
    regs = {
        "zhang": RegistrationFactory(plan=p1, person__name="张三", company_name="华信通信工程有限公司",
                                     personnel_type="A"),
        "zhangs": RegistrationFactory(plan=p1, person__name="张思远", company_name="中通建设有限公司",
                                      personnel_type="B"),
        "li": RegistrationFactory(plan=p2, person__name="李四", company_name="华信通信工程有限公司",
                                  personnel_type="B"),
        "other": RegistrationFactory(plan=ExamPlanFactory(region=world.region_b), person__name="张广东"),
    }
    return {"p1": p1, "p2": p2, **regs}


def _queries(data) -> list[dict]:
    """Each of the seven filters, a combination, and a sort."""
    return [
        {},
        {"name": "张"},
        {"id_number": data["li"].person.id_number},
        {"personnel_type": "B"},
        {"company_name": "华信"},
        {"exam_type": ExamType.CONTINUING_ONLINE},
        {"exam_year": str(data["p2"].exam_date.year)},
        {"plan": str(data["p1"].pk)},
        {"name": "张", "company_name": "华信", "plan": str(data["p1"].pk)},
        {"sort": "-name"},
    ]


def page_numbers(client, params) -> list[str]:
    response = client.get(reverse("candidates:list"), {**params, "page_size": 100})
    assert response.status_code == 200
    return [row["candidate_number"] for row in response.context["rows"]]


def file_numbers(content: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]


def export_numbers(client, params) -> list[str]:
    from urllib.parse import urlencode

    response = client.post(reverse("candidates:export") + "?" + urlencode(params), {"scope": "all"})
    if response.status_code == 302:  # the background job: its file
        job = Job.objects.filter(kind="candidates.export").latest("created_at")
        assert job.status == JobStatus.DONE, job.message
        response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    return file_numbers(b"".join(response.streaming_content))


@pytest.mark.parametrize("background", [False, True], ids=["in-request", "job"])
def test_the_same_query_string_gives_the_same_rows_on_the_page_and_in_the_file(client, world, data, monkeypatch,
                                                                                background):
    if background:
        monkeypatch.setattr(services, "EXPORT_SYNC_LIMIT", 0)
    client.force_login(world.admin_a)
    for params in _queries(data):
        on_page = page_numbers(client, params)
        assert export_numbers(client, params) == on_page, params
    assert page_numbers(client, {"personnel_type": "B"}) == sorted(
        [data["zhangs"].candidate_number, data["li"].candidate_number])
    if background:
        assert Job.objects.filter(kind="candidates.export").count() == len(_queries(data))


def test_central_filters_by_region_on_the_page_and_in_the_file(client, world, data):
    client.force_login(world.central)
    params = {"region": str(world.region_b.pk)}
    assert page_numbers(client, params) == export_numbers(client, params) == [data["other"].candidate_number]


INVALID = [
    ({"plan": "999999"}, "考试批次的选项无效"),  # no such plan
    ({"exam_year": "1999"}, "年份的选项无效"),  # no plan in that year
    ({"personnel_type": "Z"}, "人员类型/报考类型的选项无效"),
    ({"id_number": "1101"}, "请输入完整的证件号码"),
    ({"sort": "salary"}, "排序的选项无效"),
]


@pytest.mark.parametrize("params, words", INVALID)
def test_an_invalid_filter_shows_its_message_and_no_rows(client, world, data, params, words):
    client.force_login(world.admin_a)
    response = client.get(reverse("candidates:list"), {"name": "张", **params})
    body = response.content.decode()
    assert response.status_code == 200 and response.context["rows"] == []
    assert 'data-testid="filter-invalid"' in body and words in body and "未显示任何记录" in body
    assert "张三" not in body and "没有符合条件的考生" in body


def test_another_regions_plan_is_an_invalid_filter_not_an_empty_one(client, world, data):
    client.force_login(world.admin_a)
    form = CandidateFilterForm({"plan": str(data["other"].plan_id)}, user=world.admin_a)
    assert form.invalid and "plan" in form.errors and form.rows().count() == 0


@pytest.mark.parametrize("params, words", INVALID)
def test_an_invalid_filter_exports_nothing(client, world, data, params, words, monkeypatch):
    client.force_login(world.admin_a)
    url = reverse("candidates:export") + "?" + "&".join(f"{k}={v}" for k, v in params.items())
    for scope, sync_limit in (("all", services.EXPORT_SYNC_LIMIT), ("all", 0), ("part", None)):
        if sync_limit is not None:
            monkeypatch.setattr(services, "EXPORT_SYNC_LIMIT", sync_limit)
        response = client.post(url, {"scope": scope, "part": "1"}, follow=True)
        body = response.content.decode()
        assert response.redirect_chain[-1][0].startswith(reverse("candidates:list"))
        assert words in body and "未导出任何数据" in body
    assert not Job.objects.filter(kind="candidates.export").exists()
    assert not AuditLog.objects.filter(action__startswith="registration.export").exists()


def test_the_job_parses_the_query_string_again_and_fails_on_a_plan_gone_meanwhile(world, data):
    """The job reads the list as its user may see it when it runs: a plan deleted between the
    start and the run is an invalid filter, so the job fails with the message, exports nothing."""
    from jobs.services import job_create, job_run

    job = job_create(kind="candidates.export", title="导出", acting_user=world.admin_a, region=world.region_a)
    plan = ExamPlanFactory(region=world.region_a)
    query = f"plan={plan.pk}"
    assert not CandidateFilterForm({"plan": str(plan.pk)}, user=world.admin_a).invalid
    plan.delete()
    job_run(job.pk, "candidates.notices:run_export", {"user_id": world.admin_a.pk, "query": query, "full": False})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "考试批次的选项无效" in job.message and not job.result_file
    assert not AuditLog.objects.filter(action__startswith="registration.export").exists()


def test_import_runs_filter_by_batch_number_and_refuse_an_invalid_one(client, world, tmp_path):
    from candidates.importing.samples import sample_rows, write_xlsx
    from candidates.importing.services import import_file

    runs = {}
    for key in ("a", "b"):
        plan = ExamPlanFactory(region=world.region_a)
        path = tmp_path / f"{key}.xlsx"
        write_xlsx(sample_rows(1), path)
        runs[key] = import_file(plan=plan, path=path, acting_user=world.admin_a, file_name=f"{key}.xlsx")
    client.force_login(world.admin_a)
    url = reverse("candidates:import_runs")
    shown = lambda **q: [r.pk for r in client.get(url, q).context["page_obj"]]  # noqa: E731
    assert sorted(shown()) == sorted(r.pk for r in runs.values())
    assert shown(batch_no=runs["b"].plan.batch_no) == [runs["b"].pk]
    response = client.get(url, {"batch_no": runs["b"].plan.batch_no + "x" * 16})
    body = response.content.decode()
    assert list(response.context["page_obj"]) == [] and "批次编号" in body and 'data-testid="filter-invalid"' in body
