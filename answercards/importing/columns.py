"""The scanner's result file (答题卡扫描结果), declared over core.spreadsheets: the template, its
填写说明, the reader's header check (.xlsx, .xls or .csv) and the error report come from SHEET.

Per row, each problem said with its column: an empty or unknown 考生编号, one Excel showed in
scientific notation, a candidate of another plan or another region, one deleted from the plan,
one without a seat, a 考生编号 twice in the file, a missing or wrong 试卷版本 (not the version
handed out at the seat), an answer string of the wrong length or with letters the question does
not have (answercards.answers), a candidate already 缺考 or 作废."""

import re
from dataclasses import dataclass, field

from django.utils import timezone

from candidates.models import Registration, RegistrationDeletion
from candidates.selectors import registration_suspension
from core.spreadsheets.columns import Column, HelpTable, Sheet, ValidationContext, cell_text
from regions.models import Region

from ..answers import AnswerStringError, parse_answers
from ..choices import BLANK, GROUP_CLOSE, GROUP_OPEN, SEPARATOR
from ..models import AnswerCard, Seat

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


@dataclass
class CardContext(ValidationContext):
    """What the rows of one file are checked against, loaded in bulk for all their 考生编号."""

    plan: object = None
    letters: str = ""  # the plan's versions, e.g. "AB"
    slots: dict = field(default_factory=dict)  # (personnel type, letter) -> [Slot]
    region_codes: set = field(default_factory=set)
    registrations: dict = field(default_factory=dict)  # 考生编号 -> Registration (any plan)
    seats: dict = field(default_factory=dict)  # registration id -> Seat
    cards: dict = field(default_factory=dict)  # registration id -> AnswerCard
    states: dict = field(default_factory=dict)  # registration id -> attempt state
    deleted: dict = field(default_factory=dict)  # 考生编号 -> RegistrationDeletion of this plan
    rows_of: dict = field(default_factory=dict)  # 考生编号 -> the Excel rows it is on
    suspended: set = field(default_factory=set)  # registration ids without a seat that are 停考

    @classmethod
    def for_rows(cls, *, plan, letters: str, slots: dict, parsed_rows) -> "CardContext":
        ctx = cls(plan=plan, letters=letters, slots=slots,
                  region_codes=set(Region.objects.values_list("code", flat=True)))
        for number, raw in parsed_rows:
            key = cell_text(raw.get("candidate_number")).upper()
            if key:
                ctx.rows_of.setdefault(key, []).append(number)
        ctx.prefetch(ctx.rows_of)
        return ctx

    def load(self, keys: set) -> None:
        from exams.models import Attempt

        regs = {r.candidate_number.upper(): r for r in Registration.objects.filter(candidate_number__in=keys)
                .select_related("plan", "person")}
        self.registrations.update(regs)
        mine = [r.pk for r in regs.values() if r.plan_id == self.plan.pk]
        self.seats.update({s.registration_id: s for s in Seat.objects.filter(registration_id__in=mine)
                           .select_related("room")})
        self.cards.update({c.registration_id: c for c in AnswerCard.objects.filter(registration_id__in=mine)})
        self.states.update(dict(Attempt.objects.filter(registration_id__in=mine).values_list("registration_id", "state")))
        unseated = [r for r in regs.values() if r.plan_id == self.plan.pk and r.pk not in self.seats]
        if unseated:
            self.suspended |= set(registration_suspension(unseated, on_date=self.plan.exam_date))
        self.deleted.update({d.candidate_number.upper(): d for d in RegistrationDeletion.objects.filter(
            plan=self.plan, candidate_number__in=keys).select_related("deleted_by")})


def clean_candidate_number(value, row) -> str:
    text = cell_text(value).upper()
    if not text:
        row.error("考生编号不能为空")
    elif _SCIENTIFIC.match(text):
        row.error("考生编号被 Excel 显示成了科学计数法，数字已丢失：请把该列设置为“文本”格式后重新填写考生编号")
    return text


def clean_version(value, row) -> str:
    text = cell_text(value).upper().removesuffix("卷").strip()
    letters = row.ctx.letters
    if not text:
        row.error("试卷版本不能为空（答题卡上填涂的试卷版本，如 A）")
    elif len(text) != 1 or text not in letters:
        row.error(f"试卷版本只能是 {'、'.join(letters)}（本计划印制了 {len(letters)} 个版本）")
    return text


def clean_answers(value, row) -> str:
    text = cell_text(value)
    if not text:
        row.error(f"作答不能为空（整张未作答的答题卡，每题填“{BLANK}”）")
    return text


def _other_region(number: str, ctx: CardContext) -> bool:
    code = number[:2]
    return code.isdigit() and code in ctx.region_codes and code != ctx.plan.region.code


def card_row_rule(row) -> None:
    """The rules across columns and tables, then the answers against the version's paper."""
    ctx: CardContext = row.ctx
    cleaned = row.cleaned
    number = cleaned.get("candidate_number")
    if not number or any(e.column == "考生编号" for e in row.errors):
        return
    rows = ctx.rows_of.get(number, [])
    if len(rows) > 1:
        others = "、".join(str(n) for n in rows if n != row.number)
        row.error(f"考生编号在第 {others} 行也出现：同一考生只能有一张答题卡，请核对后只保留一行", key="candidate_number")
        return
    plan = ctx.plan
    registration = ctx.registrations.get(number)
    if registration is None or registration.plan_id != plan.pk:
        if (registration is not None and registration.region_id != plan.region_id) or (
                registration is None and _other_region(number, ctx)):
            # the same words whether or not the number exists there: another region's roster is not ours to probe
            row.error("该考生编号属于其他地区的考核计划，不能导入本计划", key="candidate_number")
        elif registration is not None:
            row.error(f"该考生属于本地区的考核计划 {registration.plan.batch_no}，不是本计划（{plan.batch_no}）的考生",
                      key="candidate_number")
        elif number in ctx.deleted:
            deletion = ctx.deleted[number]
            row.error(f"该考生已于 {timezone.localtime(deletion.deleted_at):%Y-%m-%d} 从本计划删除（考生编号已作废），不能导入",
                      key="candidate_number")
        else:
            row.error(f"考生编号不存在（本计划的考生编号以 {plan.batch_no} 开头）", key="candidate_number")
        return
    seat = ctx.seats.get(registration.pk)
    if seat is None:
        if registration.pk in ctx.suspended:
            row.error("该考生处于黑名单处理期（停考），未安排考场座位，不能导入答题卡", key="candidate_number")
        else:
            row.error("该考生不在考场安排中（考场生成后才加入本计划），无法确定其试卷版本，请联系部中心核实",
                      key="candidate_number")
        return
    state = ctx.states.get(registration.pk)
    if state in ("absent", "void"):
        label = {"absent": "缺考", "void": "作废"}[state]
        row.error(f"该考生本场考试已记为“{label}”，不能导入答题卡", key="candidate_number")
        return
    version = cleaned.get("version")
    if any(e.column == "试卷版本" for e in row.errors):
        return
    if version != seat.version:
        row.error(f"该考生的座位（{seat.room.name} {seat.number} 号）发放的是 {seat.version} 卷，答题卡上是 {version} 卷："
                  "请核对答题卡和签到表", key="version")
        return
    slots = ctx.slots.get((registration.personnel_type, version))
    if slots is None:
        row.error(f"{registration.personnel_type} 类人员没有 {version} 卷（考场生成后人员类型有变更），请联系部中心核实",
                  key="version")
        return
    if not cleaned.get("answers"):
        return
    try:
        tokens = parse_answers(cleaned["answers"], slots, version_label=f"{registration.personnel_type} 类 {version} 卷")
    except AnswerStringError as exc:
        row.error(str(exc), key="answers")
        return
    row.key = registration.pk
    cleaned["registration"] = registration
    cleaned["tokens"] = tokens


COLUMNS = (
    Column("candidate_number", "考生编号", "必填。签到表和答题卡上的考生编号（批次编号 + 5 位序号，如 112600100001）。"
           "请将该列设为“文本”格式，否则 Excel 会把长数字显示成科学计数法。",
           clean=clean_candidate_number, width=16, example="112600100001"),
    Column("version", "试卷版本", "必填。考生答题卡上填涂的试卷版本字母（如 A、B），须与签到表上该座位发放的版本一致。",
           clean=clean_version, width=10, example="A"),
    Column("answers", "作答", "必填。按题号顺序填写每题所选的字母（试卷题本上的字母）：单选题、判断题每题一个字母"
           f"（判断题 A 正确、B 错误），多选题的字母写在括号内，如 {GROUP_OPEN}ACD{GROUP_CLOSE}；未作答或无法辨认的题填“{BLANK}”。"
           f"也可以每题之间用英文逗号分隔，如 A{SEPARATOR}B{SEPARATOR}ACD{SEPARATOR}{BLANK}{SEPARATOR}B。",
           clean=clean_answers, width=80, example="ABDC-(ACD)(BD)AB"),
)

SHEET = Sheet(
    name="答题卡", item="答题卡", columns=COLUMNS, row_rules=(card_row_rule,), accept_csv=True,
    template_filename="答题卡扫描结果导入模板.xlsx", help_title="答题卡扫描结果导入 填写说明",
    help_tables=(HelpTable("作答示例", lambda: [
        ("ABDC", "4 道单选题，依次选 A、B、D、C"),
        ("A(ACD)B", "单选 A，多选 ACD，判断 B（错误）"),
        ("A-(BD)", "第 2 题未作答，第 3 题（多选）选 BD"),
        ("A,-,BD", "同上，用逗号分隔的写法"),
    ], header=("作答", "含义")),),
    notes=("1. 每行一名考生的一张答题卡；扫描仪导出的 .csv（UTF-8 或 GBK 编码）或 .xlsx 文件可以直接上传，列名须为“考生编号”“试卷版本”“作答”。",
           "2. 题号和选项字母以考生所持试卷版本的题本为准；系统按该版本的试卷换算并评分，评分方法与线上考试相同。",
           "3. 失败的行不导入，其余行照常导入；下载导入结果，改正标出原因的行后可再次上传同一文件：已导入且内容未变化的行"
           "报告为“已存在”，内容有变化的行替换原答题卡并重新评分（记入审计日志）。",
           "4. 部中心“结束扫描”后，没有答题卡的考生记为缺考，不能再导入。"),
)
