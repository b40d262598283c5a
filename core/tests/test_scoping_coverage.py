"""Every named URL of ours must be exercised by some app's tests/test_scoping.py (docs/decisions.md#scoping-suite)."""

from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

OUR_NAMESPACES = {"core", "accounts", "audit", "jobs", "sms", "plans", "blacklist", "candidates", "results", "questions", "papers", "exams", "answercards", "proctoring", "review"}
# Public by design, each with its own test: the landing page, health, login and logout.
PUBLIC = {"core:home", "core:health", "accounts:login", "accounts:logout"}


def _names(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name and namespace in OUR_NAMESPACES:
            yield f"{namespace}:{p.name}"


def test_every_view_is_in_a_scoping_suite():
    root = Path(settings.BASE_DIR)
    text = "\n".join(p.read_text(encoding="utf-8") for p in root.glob("*/tests/test_scoping*.py"))
    missing = sorted({n for n in _names(get_resolver().url_patterns) if n not in PUBLIC and f'"{n}"' not in text})
    assert not missing, f"views without a scoping test: {missing}"
