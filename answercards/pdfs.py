"""The printed papers of an answer-card exam, with the embedded Chinese font of core.pdf:

* 考场签到表: per room, its seats in order with 考生编号, 姓名, 人员类型, masked 证件号码, 工作单位,
  试卷版本, a 签名 column and a 缺考 column the invigilator marks, and the counts to fill in;
* 考场门贴: per room one page for the door: the room, the time and who sits where;
* 试卷题本: one version's questions and options as its candidates see them (display letters);
* 试卷答案: one version's key (central only: the view refuses anyone else).

Rosters of big plans are built in the background (answercards.printing through jobs) with progress per
room; a booklet or a key is one version's few pages, built on request."""

from collections.abc import Callable

from django.utils import timezone

from core.pdf import PdfDocument

from .models import ExamRoom
from .selectors import room_seat_rows

PERSONNEL_LABELS = {"A": "A 类（企业主要负责人）", "B": "B 类（项目负责人）", "C": "C 类（专职安全生产管理人员）"}
CN_NUMBERS = "一二三四五六七八九十"


def _when(plan) -> str:
    start, end = timezone.localtime(plan.starts_at), timezone.localtime(plan.ends_at)
    return f"{start:%Y-%m-%d} {start:%H:%M}–{end:%H:%M}"


def _subtitle(plan, card_plan) -> str:
    site = f"考点：{card_plan.site}　" if card_plan.site else ""
    return f"{plan.region.administration_name}　{site}考试时间：{_when(plan)}"


def roster_pdf(plan, card_plan, rooms: list[ExamRoom], *, progress: Callable[[int], None] | None = None) -> bytes:
    doc = PdfDocument(f"{plan.batch_no} 新取证(线下) 考场签到表", subtitle=_subtitle(plan, card_plan), landscape=True,
                      font_size=9)
    for index, room in enumerate(rooms):
        if index:
            doc.new_page()
        rows = room_seat_rows(room)
        doc.heading(f"{room.name}（{len(rows)} 人）", size=12)
        doc.table(["座号", "考生编号", "姓名", "人员类型", "证件号码", "工作单位", "试卷版本", "考生签名", "缺考"],
                  [[r.seat, r.candidate_number, r.name, r.personnel_type, r.id_number_masked, r.company,
                    f"{r.version} 卷", "", ""] for r in rows],
                  widths=[7, 17, 12, 8, 22, 44, 9, 22, 8], line_height=7)
        doc.spacer(3)
        doc.paragraph(f"应到{len(rows)}人，实到____人，缺考____人（缺考考生在“缺考”栏打“√”）。"
                      "监考人签名：________________　________________")
        if progress:
            progress(index + 1)
    return doc.output()


def doors_pdf(plan, card_plan, rooms: list[ExamRoom], *, progress: Callable[[int], None] | None = None) -> bytes:
    doc = PdfDocument(f"{plan.batch_no} 新取证(线下) 考场门贴", subtitle=_subtitle(plan, card_plan), font_size=12)
    for index, room in enumerate(rooms):
        if index:
            doc.new_page()
        rows = room_seat_rows(room)
        doc.heading(room.name, size=28)
        doc.paragraph(f"本考场{len(rows)}人。请考生按座号就座，携带身份证件，在签到表上签名。")
        doc.table(["座号", "考生编号", "姓名", "试卷版本"],
                  [[r.seat, r.candidate_number, r.name, f"{r.version} 卷"] for r in rows], widths=[10, 30, 25, 15],
                  line_height=8)
        if progress:
            progress(index + 1)
    return doc.output()


def _sections(payload) -> list[tuple[dict, list[dict]]]:
    out = []
    for section in payload["sections"]:
        first = section["first_position"]
        questions = payload["questions"][first - 1:first - 1 + section["count"]]
        out.append((section, questions))
    return out


def booklet_pdf(plan, card_plan, version, payload: dict, *, pass_mark) -> bytes:
    """试卷题本 of one version: payload is papers.selectors.paper_view of the version's paper."""
    title = f"{plan.batch_no} 新取证(线下) 试卷　{PERSONNEL_LABELS.get(version.personnel_type, version.personnel_type)}　{version.letter} 卷"
    doc = PdfDocument(title, subtitle=_subtitle(plan, card_plan), font_size=10.5)
    if payload.get("demo"):
        doc.paragraph("【演示题库】本试卷的试题来自系统的演示题库，仅供演示，不是正式考试试题。")
    # no ASCII spaces in running text: the paragraph is justified and would stretch them
    doc.paragraph(f"本试卷共{payload['question_count']}题，满分{payload['total_points']}分，{pass_mark}分合格。"
                  f"请在答题卡上填涂试卷版本“{version.letter}”和本人考生编号；单选题、判断题每题只涂一个选项"
                  "（判断题 A 为正确、B 为错误），多选题涂全部正确选项，多选、少选、错选均不得分。")
    for index, (section, questions) in enumerate(_sections(payload)):
        number = CN_NUMBERS[index] if index < len(CN_NUMBERS) else str(index + 1)
        doc.heading(f"{number}、{section['label']}（共 {section['count']} 题，每题 {section['points']} 分）", size=11)
        for q in questions:
            options = "　".join(f"{o['letter']}. {o['text']}" for o in q["options"]) if q["qtype"] == "judge" else \
                "\n".join(f"{o['letter']}. {o['text']}" for o in q["options"])
            doc.paragraph(f"{q['position']}. {q['stem']}\n{options}")
    return doc.output()


def key_pdf(plan, version, payload: dict) -> bytes:
    """试卷答案 of one version (central only)."""
    title = f"{plan.batch_no} 试卷答案　{version.personnel_type} 类 {version.letter} 卷"
    doc = PdfDocument(title, subtitle="仅限部中心，注意保密", font_size=10)
    doc.table(["题号", "题型", "答案", "分值"],
              [[q["position"], q["qtype_label"], q["key"].displayed, q["points"]] for q in payload["questions"]],
              widths=[10, 15, 15, 10])
    return doc.output()
