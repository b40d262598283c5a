"""The answer string of a scanned card, read against the shape of its paper version: a pure
function (no database) shared by the import, its tests and the demo's sample file.

Two forms, as the template's 填写说明 says:

* compact: one character per question in question order — a letter for 单选/判断 (判断: A 正确,
  B 错误), “-” for a question left blank — and a 多选 answer in brackets: ``ABD-(ACD)B``;
* separated: one answer per question separated by commas: ``A,B,D,-,ACD,B`` (an empty answer
  between two commas is a blank too).

Letters are those printed in the booklet of that version (displayed letters); lower case,
full-width letters, brackets and commas are accepted (NFKC). What is refused, each with a
message naming the question: a wrong number of answers, a letter the question does not have,
several letters for a 单选/判断, a letter twice, unbalanced brackets, a space (a blank must be
“-”, or a scanner's space would shift every later answer).
"""

import unicodedata
from dataclasses import dataclass

from .choices import BLANK, GROUP_CLOSE, GROUP_OPEN, SEPARATOR

LETTERS = "ABCDEFGH"
QTYPE_LABELS = {"single": "单选题", "multiple": "多选题", "judge": "判断题"}
MAX_SHOWN = 3


@dataclass(frozen=True)
class Slot:
    position: int
    qtype: str  # single / multiple / judge
    options: int  # how many options the question shows


def slots_of(paper) -> list[Slot]:
    """The shape of a paper (papers.Paper, saved or drawn in memory): per position its 题型 (from
    the sections) and option count (the permutation's length)."""
    qtypes = [qtype for qtype, count, _points in paper.sections for _ in range(count)]
    return [Slot(position=i, qtype=qtype, options=len(item[1]))
            for i, (qtype, item) in enumerate(zip(qtypes, paper.items, strict=True), start=1)]


class AnswerStringError(ValueError):
    def __init__(self, messages: list[str]):
        self.messages = messages
        shown = "；".join(messages[:MAX_SHOWN])
        if len(messages) > MAX_SHOWN:
            shown += f"；等共 {len(messages)} 处"
        super().__init__(shown)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().upper()


def tokens_of(text: str) -> list[str]:
    """The answer string split into one token per question (before any check against a paper).
    Raises AnswerStringError for what no paper could accept."""
    text = _normalise(text)
    if not text:
        raise AnswerStringError(["作答不能为空（整张未作答的答题卡，每题填“-”）"])
    if SEPARATOR in text:
        tokens = []
        for token in text.split(SEPARATOR):
            token = "".join(token.split()).replace(GROUP_OPEN, "").replace(GROUP_CLOSE, "")
            tokens.append("" if token == BLANK else token)
        return tokens
    tokens, group = [], None
    for index, ch in enumerate(text, start=1):
        if ch.isspace():
            raise AnswerStringError([f"作答的第 {index} 个字符是空格：未作答的题请填“-”，不能留空格"])
        if ch == GROUP_OPEN:
            if group is not None:
                raise AnswerStringError(["作答中的括号不成对（多选题的答案写成 (ACD)）"])
            group = ""
        elif ch == GROUP_CLOSE:
            if group is None:
                raise AnswerStringError(["作答中的括号不成对（多选题的答案写成 (ACD)）"])
            tokens.append("" if group in ("", BLANK) else group)
            group = None
        elif group is not None:
            group += ch
        else:
            tokens.append("" if ch == BLANK else ch)
    if group is not None:
        raise AnswerStringError(["作答中的括号不成对（多选题的答案写成 (ACD)）"])
    return tokens


def parse_answers(text: str, slots: list[Slot], *, version_label: str = "该试卷") -> list[str]:
    """One token per question (displayed letters, sorted; "" for a blank), checked against the
    version's shape. Raises AnswerStringError with every problem found."""
    tokens = tokens_of(text)
    if len(tokens) != len(slots):
        hint = "" if SEPARATOR in _normalise(text) else "（多选题的答案须写在括号内，如 (ACD)；未作答的题填“-”）"
        raise AnswerStringError([f"作答共 {len(tokens)} 题，{version_label}有 {len(slots)} 题{hint}"])
    problems, answers = [], []
    for slot, token in zip(slots, tokens, strict=True):
        label = QTYPE_LABELS.get(slot.qtype, slot.qtype)
        allowed = LETTERS[:slot.options]
        bad = [ch for ch in token if ch not in allowed]
        if bad:
            if slot.qtype == "judge":
                problems.append(f"第 {slot.position} 题（判断题）填写了“{token}”：只能填 A（正确）或 B（错误）")
            else:
                problems.append(f"第 {slot.position} 题（{label}）填写了“{token}”：该题只有 {allowed[0]}–{allowed[-1]} "
                                f"{len(allowed)} 个选项")
            continue
        if len(set(token)) != len(token):
            problems.append(f"第 {slot.position} 题（{label}）“{token}”中有重复的字母")
            continue
        if slot.qtype != "multiple" and len(token) > 1:
            problems.append(f"第 {slot.position} 题是{label}，只能填一个字母，填写了“{token}”（多涂的答题卡请人工核对，"
                            "无法确定的填“-”）")
            continue
        answers.append("".join(sorted(token)))
    if problems:
        raise AnswerStringError(problems)
    return answers


def compact(answers: list[str], slots: list[Slot]) -> str:
    """The compact form of checked answers (the demo's sample file writes it)."""
    out = []
    for slot, answer in zip(slots, answers, strict=True):
        if slot.qtype == "multiple":
            out.append(f"{GROUP_OPEN}{answer}{GROUP_CLOSE}" if answer else BLANK)
        else:
            out.append(answer or BLANK)
    return "".join(out)
