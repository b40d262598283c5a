"""The scoping-coverage verdict, a pytest plugin the root conftest loads.

Every named view of ours must be requested through the scoping suite (testing.scoping.
assert_scoping) by some scoping suite: a test module named test_scoping*.py. The names are the
ones the suite's requests actually resolved to (testing.scoping.CALLED, written by its request
helper), not names found in the tests' text. The view names come from the URLconf: every named
pattern whose view is code of one of our apps.

The verdict is given at the end of a run in which every scoping suite on disk was collected and
every one of its tests ran (a run of one app's tests gives none, and says so). Under
pytest-xdist each worker sends what it saw to the controller, which decides. A missing view, or
an empty list of views, fails the run: the exit status is 1 and the summary names the views.
tests/test_scoping_coverage.py tests the pieces."""

from pathlib import Path

import pytest

# Public by design, each with its own test: the landing page, health, the administrators' login
# and logout, the candidates' login and first login (accounts/tests/test_scoping.py).
PUBLIC = {"core:home", "core:health", "accounts:login", "accounts:logout", "accounts:candidate_login",
          "accounts:candidate_activate"}
COVERAGE_TEST = "tests/test_scoping_coverage.py"

_STATE = pytest.StashKey[dict]()
_OUTPUT = "scoping_coverage"


def base_dir() -> Path:
    from django.conf import settings

    return Path(settings.BASE_DIR).resolve()


def our_apps() -> set[str]:
    """The top-level packages of our INSTALLED_APPS (their folder is a child of BASE_DIR)."""
    from django.apps import apps

    base = base_dir()
    return {config.name.split(".")[0] for config in apps.get_app_configs()
            if Path(config.path).resolve().parent == base}


def our_url_names() -> set[str]:
    """Every named URL pattern whose view is our code, as "namespace:name" (resolve()'s
    view_name), read from the URLconf itself."""
    from django.urls import URLPattern, URLResolver, get_resolver

    ours = our_apps()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(part for part in (namespace, pattern.namespace) if part)
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                view = getattr(pattern.callback, "view_class", pattern.callback)
                if getattr(view, "__module__", "").split(".")[0] in ours:
                    yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns, ""))


def suite_files(root: Path, testpaths) -> set[str]:
    """The scoping suites on disk: every test_scoping*.py under the testpaths (relative paths)."""
    found = set()
    for testpath in testpaths:
        for path in (root / testpath).rglob("test_scoping*.py"):
            relative = path.relative_to(root).as_posix()
            if relative != COVERAGE_TEST:
                found.add(relative)
    return found


def uncovered(*, names: set[str], called: set[str]) -> list[str]:
    """Our views that no scoping suite requested (the public ones excepted)."""
    return sorted(names - PUBLIC - called)


def verdict(*, on_disk: set[str], collected_files: set[str], collected: set[str], ran: set[str],
            deselected: bool, names: set[str], called: set[str]) -> tuple[bool | None, str]:
    """(None, why) when the run did not run every scoping suite whole; else (passed, report)."""
    if not collected_files:
        return None, ""
    missing_files = sorted(on_disk - collected_files)
    if missing_files or deselected or not collected <= ran:
        not_run = len(collected - ran)
        return None, (f"scoping coverage not checked: {len(on_disk) - len(missing_files)} of {len(on_disk)} "
                      f"scoping suites collected, {not_run} of their tests not run"
                      + (", some deselected" if deselected else ""))
    if not names:
        return False, "scoping coverage: the URLconf gave no view of ours (the reading of it is broken)"
    missing = uncovered(names=names, called=called)
    if missing:
        return False, "scoping coverage FAILED: views requested by no scoping suite (testing.scoping.assert_scoping):\n  " \
            + "\n  ".join(missing)
    return True, f"scoping coverage: all {len(names - PUBLIC)} views of ours are requested by a scoping suite"


# --------------------------------------------------------------------------- hooks

def _state(config) -> dict:
    if _STATE not in config.stash:
        config.stash[_STATE] = {"collected_files": set(), "collected": set(), "ran": set(), "called": set(),
                                "deselected": False, "names": set(), "on_disk": set(), "workers_lost": False,
                                "result": None}
    return config.stash[_STATE]


def _is_suite(config, nodeid: str) -> bool:
    path = nodeid.split("::", 1)[0]
    return Path(path).name.startswith("test_scoping") and path != COVERAGE_TEST


def _is_controller(config) -> bool:
    return config.pluginmanager.has_plugin("dsession")


def pytest_deselected(items):
    for item in items:
        if _is_suite(item.config, item.nodeid):
            _state(item.config)["deselected"] = True


def pytest_collection_finish(session):
    state = _state(session.config)
    for item in session.items:
        if _is_suite(session.config, item.nodeid):
            state["collected"].add(item.nodeid)
            state["collected_files"].add(item.nodeid.split("::", 1)[0])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    from testing.scoping import CALLED

    start = len(CALLED)
    try:
        return (yield)
    finally:
        if _is_suite(item.config, item.nodeid):
            state = _state(item.config)
            state["ran"].add(item.nodeid)
            state["called"].update(CALLED[start:])


def _local_facts(config) -> dict:
    state = _state(config)
    return {"names": our_url_names(), "on_disk": suite_files(Path(str(config.rootpath)),
                                                             config.getini("testpaths"))} if state["collected"] else {}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    state = _state(node.config)
    output = getattr(node, "workeroutput", {}).get(_OUTPUT)
    if output is None:
        state["workers_lost"] = True
        return
    for key in ("collected_files", "collected", "ran", "called", "names", "on_disk"):
        state[key].update(output[key])
    state["deselected"] |= output["deselected"]


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    state = _state(config)
    if hasattr(config, "workerinput"):  # an xdist worker: hand what it saw to the controller
        facts = _local_facts(config)
        config.workeroutput[_OUTPUT] = {
            "collected_files": sorted(state["collected_files"]), "collected": sorted(state["collected"]),
            "ran": sorted(state["ran"]), "called": sorted(state["called"]), "deselected": state["deselected"],
            "names": sorted(facts.get("names", ())), "on_disk": sorted(facts.get("on_disk", ())),
        }
        return
    if not _is_controller(config):
        facts = _local_facts(config)
        state["names"].update(facts.get("names", ()))
        state["on_disk"].update(facts.get("on_disk", ()))
    if state["workers_lost"] or session.shouldstop or session.shouldfail:
        state["result"] = (None, "scoping coverage not checked: the run stopped early") if state["collected"] else None
        return
    passed, report = verdict(on_disk=state["on_disk"], collected_files=state["collected_files"],
                             collected=state["collected"], ran=state["ran"], deselected=state["deselected"],
                             names=state["names"], called=state["called"])
    state["result"] = (passed, report) if report else None
    if passed is False:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    result = _state(config)["result"]
    if result:
        passed, report = result
        terminalreporter.write_line(report, red=passed is False, bold=passed is False)
