"""The pieces of the scoping-coverage verdict (testing/scoping_coverage.py): the view names come
from the URLconf, the suite's requests record the names they resolve to, and the verdict fails a
full run that leaves a view of ours unrequested, and gives none for a partial run."""

import pytest
from django.urls import reverse

from testing import scoping
from testing.scoping import ScopeCase
from testing.scoping_coverage import PUBLIC, our_apps, our_url_names, suite_files, uncovered, verdict


def test_the_view_names_are_read_from_the_urlconf():
    names = our_url_names()
    assert {"plans:list", "candidates:import", "blacklist:detail", "jobs:download", "core:home"} <= names
    assert not any(name.startswith("captcha") for name in names)  # a library's views are not ours
    # every namespace that appears is one of our apps' URLconfs, none is listed by hand
    assert {name.split(":")[0] for name in names if ":" in name} <= our_apps()


def test_every_public_name_exists():
    assert PUBLIC <= our_url_names()


def test_the_suites_requests_record_the_names_they_resolve_to(client, db):
    start = len(scoping.CALLED)
    scoping._call(client, ScopeCase(url=reverse("core:health") + "?probe=1"))
    assert scoping.CALLED[start:] == ["core:health"]


def test_the_scoping_suites_are_found_on_disk(settings):
    from pathlib import Path

    found = suite_files(Path(settings.BASE_DIR), ["plans", "tests", "candidates"])
    assert {"plans/tests/test_scoping.py", "candidates/tests/test_scoping_import.py",
            "tests/core/test_scoping.py"} <= found
    assert "tests/test_scoping_coverage.py" not in found


FULL = {"on_disk": {"a/tests/test_scoping.py"}, "collected_files": {"a/tests/test_scoping.py"},
        "collected": {"a/tests/test_scoping.py::t1", "a/tests/test_scoping.py::t2"},
        "ran": {"a/tests/test_scoping.py::t1", "a/tests/test_scoping.py::t2"}, "deselected": False}


def test_a_full_run_that_requests_every_view_passes():
    passed, report = verdict(**FULL, names={"a:list", "a:detail", "core:home"}, called={"a:list", "a:detail"})
    assert passed is True and "all 2 views" in report


def test_a_view_no_suite_requested_fails_the_run():
    passed, report = verdict(**FULL, names={"a:list", "a:detail"}, called={"a:list"})
    assert passed is False and "a:detail" in report and "a:list" not in report
    assert uncovered(names={"a:list", "a:detail", "core:home"}, called=set()) == ["a:detail", "a:list"]


def test_an_empty_urlconf_reading_fails_rather_than_passes():
    passed, _ = verdict(**FULL, names=set(), called=set())
    assert passed is False


@pytest.mark.parametrize("change", [
    {"on_disk": {"a/tests/test_scoping.py", "b/tests/test_scoping.py"}},  # one suite not collected
    {"ran": {"a/tests/test_scoping.py::t1"}},  # one suite test did not run
    {"deselected": True},  # -k or -m left some out
])
def test_a_partial_run_gives_no_verdict_and_says_so(change):
    passed, report = verdict(**{**FULL, **change}, names={"a:list"}, called=set())
    assert passed is None and "not checked" in report


def test_a_run_without_scoping_suites_says_nothing():
    assert verdict(**{**FULL, "collected_files": set(), "collected": set(), "ran": set()},
                   names={"a:list"}, called=set()) == (None, "")
