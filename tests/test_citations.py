"""Citations a newcomer can follow. Code, tests, templates and docs cite the decisions they rely
on as `docs/decisions.md#<anchor>`, never an issue number (issue trackers move and their
numbers mean nothing to someone reading the code), and every cited anchor exists."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DECISIONS = ROOT / "docs" / "decisions.md"

# the specification and the guide are quoted as they are, not written by us; this file's examples
NOT_OURS = {"docs/SPEC.md", "docs/STYLE.md", "docs/guide.txt", "tests/test_citations.py"}
TEXT = re.compile(r"\.(py|html|txt|md|js|css|toml|cfg|ini|yml|yaml|sh|json)$|(^|/)(Makefile|run|ensure-[a-z-]+)$")

# "issue 12", "Issue 14 §7", "issues 3", "issue11", "issue #4", "#12" (not "#fff", not "&#12;", not "a#1")
ISSUE = re.compile(r"\bissues?\s?#?\d+|(?<![\w&#/])#\d+\b", re.IGNORECASE)
ISSUE_WORD = re.compile(r"\bissues?\s?#?\d+", re.IGNORECASE)  # stylesheets: #000 is a colour
CITATION = re.compile(r"decisions\.md#([A-Za-z0-9_-]+)")
ANCHOR = re.compile(r'<a id="([A-Za-z0-9_-]+)"></a>')


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return sorted({f for f in out.split("\n") if f and TEXT.search(f) and f not in NOT_OURS and (ROOT / f).is_file()})


def issue_numbers(text: str, *, stylesheet: bool = False) -> list[tuple[int, str]]:
    pattern = ISSUE_WORD if stylesheet else ISSUE
    return [(n, m.group(0)) for n, line in enumerate(text.split("\n"), 1) for m in pattern.finditer(line)]


def anchors(text: str) -> set[str]:
    return set(ANCHOR.findall(text))


@pytest.fixture(scope="module")
def files():
    found = tracked_files()
    assert len(found) > 300 and "docs/decisions.md" in found, "git ls-files found no sources"
    return {f: (ROOT / f).read_text(encoding="utf-8", errors="replace") for f in found}


def test_no_code_cites_an_issue_number(files):
    hits = [f"{f}:{n}: {what}" for f, text in files.items()
            for n, what in issue_numbers(text, stylesheet=f.endswith(".css"))]
    hits += [f"{f}: the file's name" for f in files if ISSUE.search(Path(f).name.replace("_", " "))]
    assert not hits, "cite an entry of docs/decisions.md (docs/decisions.md#<its anchor>) instead:\n" + "\n".join(hits)


def test_every_cited_decision_exists(files):
    known = anchors(DECISIONS.read_text(encoding="utf-8"))
    missing = [f"{f}: decisions.md#{a}" for f, text in files.items() for a in CITATION.findall(text) if a not in known]
    # and the entries' links to each other, [scoping](#scoping)
    missing += [f"docs/decisions.md: (#{a})" for a in re.findall(r"\]\(#([A-Za-z0-9_-]+)\)", files["docs/decisions.md"])
                if a not in known]
    assert not missing, "no such anchor in docs/decisions.md:\n" + "\n".join(missing)


def test_decision_anchors_are_unique():
    ids = ANCHOR.findall(DECISIONS.read_text(encoding="utf-8"))
    assert len(ids) > 100
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("text", ["see issue 12", "(Issue 14 §7)", "issues 3 and 4", "issue11", "issue #4",
                                  "fixed in #12", "test_issue11.py"])
def test_the_check_sees_an_issue_number(text):
    assert issue_numbers(text.replace("_", " "))


@pytest.mark.parametrize("text", ["color: #fff;", "&#12;", "§7 of SPEC.md", "docs/decisions.md#scoping",
                                  "url#1", "the issued code", "# 12 comments"])
def test_the_check_lets_other_text_be(text):
    assert not issue_numbers(text)


def test_a_stylesheet_colour_is_no_issue_but_its_comment_can_be():
    assert not issue_numbers("color: #000; border: 1px solid #233044;", stylesheet=True)
    assert issue_numbers("/* wide tables (issue 18 §2) */", stylesheet=True)
