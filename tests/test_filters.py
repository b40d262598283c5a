"""One filter definition per list (decisions.md "One filter definition per list"): every app's filters live in its filters.py as
core.filters.FilterForm subclasses whose selector has the one signature
`selector(*, filters, fetched_by, ...)`, and no other module of an app declares a FilterForm, so
a list page, its export and an API cannot each grow their own parsing. One exception, listed
below: the candidate list's form stays in candidates/forms.py for now, where the list's speed
work edits it in parallel; it is a FilterForm all the same."""

import ast
import importlib
import inspect
from pathlib import Path

from django.conf import settings

from core.filters import FilterForm

BASE_DIR = Path(settings.BASE_DIR)
ELSEWHERE = {"candidates.forms": {"CandidateFilterForm"}}
# the lists that filter, and their definitions (a new one is added here with its tests)
EXPECTED = {
    "audit.filters": {"AuditFilterForm"},
    "blacklist.filters": {"EntryFilterForm"},
    "candidates.filters": {"ImportRunFilterForm"},
    "plans.filters": {"PlanFilterForm", "ReviewQueueFilterForm"},
    "questions.filters": {"QuestionFilterForm"},
    "results.filters": {"_Subset", "PlanFilterForm", "SheetFilterForm"},
    "sms.filters": {"OutboxFilterForm"},
}


def _apps() -> list[str]:
    return [name for name in settings.INSTALLED_APPS if "." not in name and (BASE_DIR / name / "apps.py").is_file()]


def test_every_list_filter_is_a_filter_form_in_its_apps_filters_module():
    found = {}
    for app in _apps():
        if app != "core" and (BASE_DIR / app / "filters.py").is_file():
            module = importlib.import_module(f"{app}.filters")
            found[module.__name__] = _declared(module)
    assert found == EXPECTED


def _declared(module) -> set[str]:
    return {name for name, obj in vars(module).items() if inspect.isclass(obj) and issubclass(obj, FilterForm)
            and obj is not FilterForm and obj.__module__ == module.__name__}


def test_the_exception_is_still_one_filter_form():
    for module_name, names in ELSEWHERE.items():
        assert _declared(importlib.import_module(module_name)) == names


def test_each_selector_has_the_one_signature():
    for module_name, names in {**EXPECTED, **ELSEWHERE}.items():
        module = importlib.import_module(module_name)
        for name in names:
            selector = getattr(module, name).selector
            params = inspect.signature(selector).parameters
            for keyword in ("filters", "fetched_by"):
                assert params[keyword].kind is inspect.Parameter.KEYWORD_ONLY, (name, keyword)


def test_no_other_module_declares_a_filter_form():
    offenders = []
    for app in set(_apps()) - {"core"}:
        for path in (BASE_DIR / app).rglob("*.py"):
            module_name = ".".join(path.relative_to(BASE_DIR).with_suffix("").parts)
            if path.name == "filters.py" or "tests" in path.parts or module_name in ELSEWHERE:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef) and (node.name.endswith("FilterForm") or any(
                        getattr(base, "id", getattr(base, "attr", "")) == "FilterForm" for base in node.bases)):
                    offenders.append(f"{path.relative_to(BASE_DIR)}: {node.name}")
    assert offenders == []
