import io

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from answercards.models import AnswerCard, CardImportRun, ExamRoom, PaperVersion, Seat
from audit.models import AuditLog
from core.pdf import read_text
from core.tests.test_pdf import _embedded_font_files
from jobs.models import Job
from papers.selectors import paper_for_registration, paper_versions

from .factories import card_text, offline_plan, register
from .files import card_rows, csv_bytes, xlsx_openpyxl


def as_user(client, user):
    client.force_login(user)
    return client


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    assert _embedded_font_files(PdfReader(io.BytesIO(content))), "the Chinese font must be embedded"
    return "".join(read_text(content))


def test_the_plan_page_generates_rooms(client, world, plan, regs):
    from django.utils import timezone

    from plans.models import ExamPlan

    # move the exam to tomorrow (roster frozen, not started)
    start = timezone.now() + timezone.timedelta(hours=20)
    ExamPlan.objects.filter(pk=plan.pk).update(starts_at=start, ends_at=start + timezone.timedelta(hours=2))
    as_user(client, world.admin_a)
    page = client.get(reverse("answercards:plan", args=[plan.pk]))
    assert page.status_code == 200 and "生成考场" in page.content.decode()
    response = client.post(reverse("answercards:rooms_generate", args=[plan.pk]),
                           {"room_size": "5", "version_count": "2", "site": "北京考点"}, follow=True)
    assert "考场已生成：3 个考场" in response.content.decode()
    assert ExamRoom.objects.filter(plan=plan).count() == 3
    bad = client.post(reverse("answercards:rooms_generate", args=[plan.pk]),
                      {"room_size": "3", "version_count": "9"}, follow=True).content.decode()
    assert "每个考场的座位数应在 5–200 之间" in bad and "试卷版本数应在 1–6 之间" in bad
    assert ExamRoom.objects.filter(plan=plan).count() == 3


def test_rosters_and_door_lists_in_the_background_with_chinese_text(client, world, seated, regs):
    as_user(client, world.admin_a)
    response = client.post(reverse("answercards:print", args=[seated.pk, "roster"]))
    job = Job.objects.get(kind="answercards.print_roster")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == "done" and job.total == 3 and job.done == 3
    content = client.get(reverse("jobs:download", args=[job.pk]))
    text = pdf_text(b"".join(content.streaming_content))
    assert "考场签到表" in text and "第01考场" in text and "考生签名" in text and "缺考" in text
    first = Seat.objects.filter(plan=seated).select_related("registration__person").first()
    assert first.registration.candidate_number in text and first.registration.person.name in text
    assert first.registration.person.id_number not in text  # masked on paper too
    assert first.registration.person.id_number[-4:] in text
    client.post(reverse("answercards:print", args=[seated.pk, "doors"]))
    doors = Job.objects.get(kind="answercards.print_doors")
    text = pdf_text(b"".join(client.get(reverse("jobs:download", args=[doors.pk])).streaming_content))
    assert "考场门贴" in text and "第03考场" in text
    assert AuditLog.objects.filter(action="answercards.print_roster").exists()
    assert AuditLog.objects.filter(action="answercards.print_doors").exists()
    # an unknown kind is refused with a message
    bad = client.post(reverse("answercards:print", args=[seated.pk, "secrets"]), follow=True).content.decode()
    assert "不支持的打印内容" in bad


def test_one_rooms_roster(client, world, seated):
    room = ExamRoom.objects.get(plan=seated, number=2)
    as_user(client, world.admin_a)
    response = client.get(reverse("answercards:room_roster", args=[room.pk]))
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "第02考场" in text and "第01考场" not in text
    page = client.get(reverse("answercards:room", args=[room.pk])).content.decode()
    assert "第 02 考场" in page and "********" in page


def test_a_booklet_shows_the_versions_questions_and_the_key_is_centrals_only(client, world, seated, regs):
    version = PaperVersion.objects.get(plan=seated, personnel_type="A", letter="B")
    holder = Seat.objects.filter(plan=seated, version="B", registration__personnel_type="A").first().registration
    paper = paper_for_registration(holder)
    versions = paper_versions(paper)
    as_user(client, world.admin_a)
    text = pdf_text(client.get(reverse("answercards:booklet", args=[version.pk])).content)
    assert "B卷" in text and "单选题" in text
    first_stem = versions[paper.items[0][0]].stem
    assert "".join(first_stem.split())[:20] in text
    assert "答案" not in text.replace("试卷答案", "")  # no key in a booklet
    # the region may not have the key: 403, and nothing printed is recorded
    assert client.get(reverse("answercards:key", args=[version.pk])).status_code == 403
    assert not AuditLog.objects.filter(action="answercards.print_key").exists()
    as_user(client, world.central)
    response = client.get(reverse("answercards:key", args=[version.pk]))
    text = pdf_text(response.content)
    assert "试卷答案" in text and "仅限部中心" in text
    from papers.selectors import answer_key
    from questions.choices import QuestionType

    key = answer_key(paper)
    assert f"1{QuestionType(key[0].qtype).label}{key[0].displayed}" in text
    assert AuditLog.objects.filter(action="answercards.print_key", actor=world.central).exists()
    assert AuditLog.objects.filter(action="answercards.print_booklet", actor=world.admin_a).exists()


def test_the_key_service_refuses_a_region(world, seated):
    from answercards.printing import key_bytes
    from core.errors import PermissionDenied

    version = PaperVersion.objects.filter(plan=seated).first()
    with pytest.raises(PermissionDenied, match="仅部中心"):
        key_bytes(version=version, acting_user=world.admin_a)


def test_import_page_upload_result_and_report(client, world, seated, regs):
    as_user(client, world.admin_a)
    page = client.get(reverse("answercards:import", args=[seated.pk]))
    assert page.status_code == 200 and "上传并导入" in page.content.decode()
    rows = card_rows(regs)
    rows[0][1] = "C"
    upload = io.BytesIO(csv_bytes(rows, encoding="gbk"))
    upload.name = "扫描结果.csv"
    response = client.post(reverse("answercards:import", args=[seated.pk]), {"file": upload})
    run = CardImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("answercards:import_run", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert "新增 11" in page and "失败 1" in page and "试卷版本只能是 A、B" in page
    report = client.get(reverse("answercards:import_report", args=[run.pk]))
    ws = openpyxl.load_workbook(io.BytesIO(report.content))["答题卡"]
    assert "试卷版本只能是" in ws.cell(row=2, column=4).value
    # a bad file: the message on the page, nothing recorded
    bad = io.BytesIO(b"\x00\x01garbage")
    bad.name = "scan.pdf"
    response = client.post(reverse("answercards:import", args=[seated.pk]), {"file": bad})
    assert response.status_code == 400 and "CSV 文件" in response.content.decode()
    response = client.post(reverse("answercards:import", args=[seated.pk]), {})
    assert response.status_code == 400 and "请先选择" in response.content.decode()
    assert CardImportRun.objects.count() == 1


def test_template_download(client, world):
    as_user(client, world.admin_a)
    response = client.get(reverse("answercards:import_template"))
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == ["答题卡", "填写说明"]


def test_the_central_closes_the_scanning_from_the_page(client, world, seated, regs):
    as_user(client, world.central)
    upload = io.BytesIO(xlsx_openpyxl(card_rows(regs[:10])))
    upload.name = "scan.xlsx"
    client.post(reverse("answercards:import", args=[seated.pk]), {"file": upload})
    page = client.get(reverse("answercards:plan", args=[seated.pk])).content.decode()
    assert "结束扫描（部中心）" in page
    response = client.post(reverse("answercards:close", args=[seated.pk]), follow=True)
    assert "2 名没有答题卡的考生记为缺考" in response.content.decode()
    assert AnswerCard.objects.filter(plan=seated).count() == 10
    as_user(client, world.admin_a)
    page = client.get(reverse("answercards:plan", args=[seated.pk])).content.decode()
    assert "结束扫描（部中心）" not in page and "结束该计划的扫描" in page


def test_the_list_shows_offline_plans_of_the_region_only(client, world, seated, rule):
    from regions.models import Region

    gd = offline_plan(region=Region.objects.get(code="44"))
    register(gd, 1)
    as_user(client, world.admin_a)
    page = client.get(reverse("answercards:plans")).content.decode()
    assert seated.batch_no in page and gd.batch_no not in page
    as_user(client, world.central)
    page = client.get(reverse("answercards:plans")).content.decode()
    assert seated.batch_no in page and gd.batch_no in page and "广东省" in page


def test_the_plan_page_links_the_answer_card_panel(client, world, seated):
    as_user(client, world.admin_a)
    page = client.get(reverse("plans:detail", args=[seated.pk])).content.decode()
    assert reverse("answercards:plan", args=[seated.pk]) in page and "考场 3 个" in page


def test_card_text_helper_is_what_the_import_reads(seated, regs):
    assert card_text(regs[0])
