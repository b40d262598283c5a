"""`manage.py similarity_check FILE.csv [--json] [--alpha 0.05] [--window 30] [--pairs PAIRS.csv]`

Runs the collusion signal (review.similarity.collusion_signal) on one plan's answer log in a
CSV file with the columns candidate,item,option,correct,answered_at (one row per candidate and
item answered; option the option letters chosen, e.g. A or BD; correct 1 or 0; answered_at
seconds from the exam start to the last change of that answer). UTF-8 (with or without BOM)
or GB18030 as Excel saves it. A row with an empty option (not answered) is skipped.

--pairs names a CSV file with the columns a,b: pairs of candidates where copying is likelier
beforehand (the seat neighbours of an answer-card room), tested as their own family with half
of alpha (docs/similarity.md, "Prior structure").

With --json it prints exactly one JSON object (see docs/similarity.md); otherwise a short
Chinese summary. A bad file: a Chinese message saying what and where, exit status 1.
"""

import csv
import io
import json as jsonlib
import math
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from review.similarity import collusion_signal

COLUMNS = ("candidate", "item", "option", "correct", "answered_at")
LETTERS = re.compile(r"^[A-Za-z]+$")


class BadFile(Exception):
    pass


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    # pragma: no cover - gb18030 decodes any byte string
    raise BadFile("文件编码无法识别：请保存为 UTF-8 或 GB18030 编码的 CSV")


def read_answer_log(path: Path) -> list[tuple[str, str, str, int, float]]:
    text = _decode(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise BadFile("文件为空：第 1 行应为列名 candidate,item,option,correct,answered_at")
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise BadFile(f"缺少列：{', '.join(missing)}（第 1 行应包含 candidate,item,option,correct,answered_at）")
    pos = {c: names.index(c) for c in COLUMNS}
    rows = []
    seen = {}
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) < len(names):
            record = record + [""] * (len(names) - len(record))
        cand, item, option, correct, answered = (record[pos[c]].strip() for c in COLUMNS)
        if not cand:
            raise BadFile(f"第 {line} 行：candidate（考生）为空")
        if not item:
            raise BadFile(f"第 {line} 行：item（题目）为空")
        if not option:
            continue  # not answered
        if not LETTERS.match(option):
            raise BadFile(f"第 {line} 行：option（所选选项）“{option}”不是选项字母（如 A 或 BD）")
        option = "".join(sorted(set(option.upper())))
        if correct not in ("0", "1", "0.0", "1.0"):
            raise BadFile(f"第 {line} 行：correct（是否正确）“{correct}”应为 1 或 0")
        try:
            seconds = float(answered)
        except ValueError:
            raise BadFile(f"第 {line} 行：answered_at（作答时间）“{answered}”不是秒数") from None
        if not math.isfinite(seconds) or seconds < 0:
            raise BadFile(f"第 {line} 行：answered_at（作答时间）“{answered}”应为不小于 0 的秒数")
        key = (cand, item)
        if key in seen:
            raise BadFile(f"第 {line} 行：考生 {cand} 的题目 {item} 与第 {seen[key]} 行重复")
        seen[key] = line
        rows.append((cand, item, option, 1 if correct.startswith("1") else 0, seconds))
    if not rows:
        raise BadFile("文件中没有作答记录（第 2 行起每行一条）")
    return rows


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """The prior pairs file: columns a,b, one pair of candidates a line."""
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    if "a" not in header or "b" not in header:
        raise BadFile(f"考生对文件 {path.name} 第 1 行应包含列名 a,b")
    ia, ib = header.index("a"), header.index("b")
    pairs = []
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        record = record + [""] * (len(header) - len(record))
        a, b = record[ia].strip(), record[ib].strip()
        if not a or not b:
            raise BadFile(f"考生对文件 {path.name} 第 {line} 行：a 与 b 都应填写考生")
        pairs.append((a, b))
    return pairs


class Command(BaseCommand):
    help = "对一期考核的作答记录（CSV）做雷同答卷与作答时间核查"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 文件，列：candidate,item,option,correct,answered_at")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
        parser.add_argument("--alpha", type=float, default=0.05, help="全部考生对的总误报率上限（默认 0.05）")
        parser.add_argument("--window", type=float, default=30.0, help="跟随作答的时间窗（秒，默认 30）")
        parser.add_argument("--pairs", default="", help="事先可能抄袭的考生对（CSV，列 a,b，如考场相邻座位），单独检验")

    def handle(self, *args, file: str, json: bool, alpha: float, window: float, pairs: str = "", **options):
        try:
            if not 0 < alpha < 1:
                raise BadFile(f"--alpha 应在 0 与 1 之间，收到 {alpha}")
            if not window > 0:
                raise BadFile(f"--window 应为正的秒数，收到 {window}")
            path = Path(file)
            if not path.is_file():
                raise BadFile(f"文件不存在：{file}")
            rows = read_answer_log(path)
            prior = []
            if pairs:
                pairs_path = Path(pairs)
                if not pairs_path.is_file():
                    raise BadFile(f"考生对文件不存在：{pairs}")
                prior = read_pairs(pairs_path)
        except BadFile as exc:
            message = str(exc)
            if json:
                self.stdout.write(jsonlib.dumps({"error": message}, ensure_ascii=False))
            raise CommandError(message, returncode=1) from None
        result = collusion_signal(rows, alpha=alpha, follow_window=window, prior_pairs=prior)
        if json:
            self.stdout.write(jsonlib.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(f"考生 {result['candidates']} 人，题目 {result['items']} 道，考生对 {result['pairs']} 个")
        self.stdout.write(f"标记的考生对：{len(result['flagged_pairs'])}（总误报率上限 {alpha:g}）")
        for p in result["flagged_pairs"]:
            self.stdout.write(f"  {p['a']} — {p['b']}  p={p['p_value']:.3g}  q={p['q_value']:.3g}  {p['kind']}")
        for k, g in enumerate(result["groups"], start=1):
            self.stdout.write(f"雷同组 {k}：{'、'.join(str(x) for x in g)}")
