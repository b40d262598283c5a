"""core imports no domain app (docs/decisions.md#roles): arrows point from the apps to core, never back.

Every module under core/ (its code and its tests) is read with ast; an import of one of the
project's own apps (INSTALLED_APPS whose folder sits in this checkout), other than core, or of
the top-level testing/ helpers (which build accounts and regions objects) fails the test."""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

BASE = Path(settings.BASE_DIR).resolve()
CORE = BASE / "core"
# the shared test helpers build domain objects: core may not lean on them either
FORBIDDEN_EXTRA = {"testing"}


def project_apps() -> set[str]:
    """The top-level packages of our own INSTALLED_APPS (their folder is a child of BASE_DIR)."""
    return {config.name.split(".")[0] for config in apps.get_app_configs()
            if Path(config.path).resolve().parent == BASE}


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in `source`; relative imports stay in core."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return sorted(found)


def domain_imports(source: str, forbidden: set[str]) -> list[tuple[int, str]]:
    return [(line, name) for line, name in imported_modules(source) if name.split(".")[0] in forbidden]


def forbidden_packages() -> set[str]:
    return (project_apps() - {"core"}) | FORBIDDEN_EXTRA


def test_the_project_apps_are_read_from_installed_apps():
    ours = project_apps()
    assert {"core", "regions", "accounts", "candidates", "blacklist", "sms", "jobs", "exams"} <= ours
    assert not ours & {"django", "captcha", "csp", "django_htmx"}


def test_the_scan_sees_every_form_of_import():
    source = ("import candidates\nimport os, accounts.models as m\nfrom blacklist.selectors import x\n"
              "def f():\n    from sms.services import send_sms\nfrom .scoping import y\nfrom core.roles import Role\n"
              "from testing.world import TEST_PASSWORD\n")
    assert domain_imports(source, forbidden_packages()) == [
        (1, "candidates"), (2, "accounts.models"), (3, "blacklist.selectors"), (5, "sms.services"),
        (8, "testing.world")]


def test_core_imports_no_domain_app():
    forbidden = forbidden_packages()
    modules = sorted(CORE.rglob("*.py"))
    assert len(modules) > 20  # the scan reads core itself
    offences = [f"{path.relative_to(BASE)}:{line} imports {name}"
                for path in modules
                for line, name in domain_imports(path.read_text(encoding="utf-8"), forbidden)]
    assert not offences, "core must not import a domain app:\n" + "\n".join(offences)
