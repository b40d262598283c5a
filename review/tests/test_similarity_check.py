"""`manage.py similarity_check FILE.csv --json`: the JSON shape, and a bad file refused with a
Chinese message saying what and where (exit status 1)."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from review.synthetic import simulate_plan

HEADER = ["candidate", "item", "option", "correct", "answered_at"]


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(path, *args):
    out = StringIO()
    call_command("similarity_check", str(path), *args, stdout=out)
    return out.getvalue()


def refused(path, *args):
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("similarity_check", str(path), "--json", *args, stdout=out)
    assert exc.value.returncode == 1
    printed = json.loads(out.getvalue())
    assert printed == {"error": str(exc.value)}
    return str(exc.value)


@pytest.fixture
def planted(tmp_path):
    plan = simulate_plan(7, n_candidates=160, n_items=60, paper=50, companies=1, trainees=12,
                         realtime=1, realtime_unknown=0, answers_only=0, one_for_three=0, shared_key=0)
    return plan, write_csv(tmp_path / "作答记录.csv", plan.rows, encoding="utf-8-sig")  # as Excel saves UTF-8


def test_json_shape_and_the_planted_pair(planted):
    plan, path = planted
    result = json.loads(run(path, "--json"))
    assert result["candidates"] == 160
    assert result["items"] == 60
    assert result["pairs"] == 160 * 159 // 2
    (kind, (copier, source)), = plan.cases
    pair = result["flagged_pairs"][0]
    assert {pair["a"], pair["b"]} == {copier, source}
    for key in ("a", "b", "p_value", "q_value", "p_family", "kind", "kinds", "shared_items",
                "identical_answers", "identical_wrong", "a_follows_b", "b_follows_a", "tails"):
        assert key in pair
    assert pair["kind"] == "timing_follow"
    assert 0 <= pair["p_value"] <= pair["p_family"] <= result["alpha"]
    assert result["groups"] == [sorted([copier, source])]


def test_text_summary_in_chinese(planted):
    _, path = planted
    text = run(path)
    assert "考生 160 人，题目 60 道" in text
    assert "标记的考生对：1" in text
    assert "雷同组 1：" in text


def test_gb18030_file_with_chinese_ids_and_lowercase_options(tmp_path):
    rows = [("张伟", "第1题", "bd", "1", "35.5"), ("王芳", "第1题", "a", "0", "40"),
            ("张伟", "第2题", "C", "0", "80"), ("王芳", "第2题", "", "0", "95")]  # empty: not answered
    path = write_csv(tmp_path / "gbk.csv", rows, header=["Candidate", " item", "option", "correct", "answered_at"],
                     encoding="gb18030")
    result = json.loads(run(path, "--json"))
    assert result["candidates"] == 2
    assert result["items"] == 2
    assert result["flagged_pairs"] == []


def test_missing_column(tmp_path):
    path = write_csv(tmp_path / "a.csv", [("112600100001", "Q1", "A", "1")], header=HEADER[:4])
    assert refused(path) == "缺少列：answered_at（第 1 行应包含 candidate,item,option,correct,answered_at）"


@pytest.mark.parametrize(("row", "message"), [
    (("112600100002", "Q1", "A", "是", "12"), "第 3 行：correct（是否正确）“是”应为 1 或 0"),
    (("112600100002", "Q1", "A", "1", "十二"), "第 3 行：answered_at（作答时间）“十二”不是秒数"),
    (("112600100002", "Q1", "A", "1", "-3"), "第 3 行：answered_at（作答时间）“-3”应为不小于 0 的秒数"),
    (("112600100002", "Q1", "A,B", "1", "12"), "第 3 行：option（所选选项）“A,B”不是选项字母（如 A 或 BD）"),
    (("", "Q1", "A", "1", "12"), "第 3 行：candidate（考生）为空"),
    (("112600100001", "Q1", "B", "0", "30"), "第 3 行：考生 112600100001 的题目 Q1 与第 2 行重复"),
])
def test_bad_value_names_its_line(tmp_path, row, message):
    path = write_csv(tmp_path / "b.csv", [("112600100001", "Q1", "A", "1", "10"), row])
    assert refused(path) == message


def test_missing_file_and_empty_file(tmp_path):
    assert refused(tmp_path / "无此文件.csv") == f"文件不存在：{tmp_path / '无此文件.csv'}"
    (tmp_path / "empty.csv").write_bytes(b"")
    assert refused(tmp_path / "empty.csv").startswith("文件为空")
    header_only = write_csv(tmp_path / "h.csv", [])
    assert refused(header_only) == "文件中没有作答记录（第 2 行起每行一条）"


def test_bad_options(planted):
    _, path = planted
    assert refused(path, "--alpha", "2") == "--alpha 应在 0 与 1 之间，收到 2.0"
    assert refused(path, "--window", "0") == "--window 应为正的秒数，收到 0.0"


def test_prior_pairs_from_a_file_form_their_own_family(tmp_path):
    from review.synthetic import simulate_card_plan

    plan = simulate_card_plan(42, n_candidates=200, n_items=60, paper=50, room_size=20, companies=1, trainees=10,
                              card_answers_only=0, card_neighbour=0, card_neighbour_unknown=3)
    path = write_csv(tmp_path / "答题卡作答.csv", plan.rows)
    pairs = write_csv(tmp_path / "相邻座位.csv", plan.neighbours, header=["a", "b"])
    with_pairs = json.loads(run(path, "--json", "--pairs", str(pairs)))
    alone = json.loads(run(path, "--json"))
    assert with_pairs["prior_pairs"] == len({frozenset(p) for p in plan.neighbours})
    assert with_pairs["timing"] is False and alone["prior_pairs"] == 0
    copier, source = plan.cases[1][1]
    found = {frozenset((p["a"], p["b"])): p for p in with_pairs["flagged_pairs"]}
    assert found[frozenset((copier, source))]["family"] == "prior"
    assert frozenset((copier, source)) not in {frozenset((p["a"], p["b"])) for p in alone["flagged_pairs"]}


def test_a_bad_pairs_file_is_refused(planted, tmp_path):
    _plan, path = planted
    assert "考生对文件不存在" in refused(path, "--pairs", str(tmp_path / "无.csv"))
    bad = write_csv(tmp_path / "相邻.csv", [["x", "y"]], header=["甲", "乙"])
    assert "第 1 行应包含列名 a,b" in refused(path, "--pairs", str(bad))
    half = write_csv(tmp_path / "相邻2.csv", [["T1", ""]], header=["a", "b"])
    assert "第 2 行：a 与 b 都应填写考生" in refused(path, "--pairs", str(half))
