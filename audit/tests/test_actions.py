"""The audit vocabulary (docs/decisions.md#audit-vocabulary): audit_record takes only Action members, every member is
used by the code, and the code names no action outside the enumeration."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from audit.actions import ACTION_GROUPS, Action, action_label
from audit.models import AuditLog
from audit.services import audit_record

ROOT = Path(settings.BASE_DIR)
ACTIONS_FILE = ROOT / "audit" / "actions.py"
SKIPPED_DIRS = {".venv", "node_modules", "migrations", "__pycache__", ".git"}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        if SKIPPED_DIRS & set(path.relative_to(ROOT).parts) or path == ACTIONS_FILE:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is_test(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "tests" in parts or path.name.startswith("test_") or path.name == "conftest.py" or parts[0] == "bench"


def _imports_action(tree) -> bool:
    return any(isinstance(node, ast.ImportFrom) and node.module in ("audit.actions", "actions")
               and any(alias.name == "Action" and alias.asname is None for alias in node.names)
               for node in ast.walk(tree))


def _member_uses():
    """(path, line, name) of every `Action.NAME` in a module that imports audit.actions.Action."""
    for path, tree in _sources():
        if not _imports_action(tree):
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Action"
                    and not node.attr.startswith("_") and node.attr not in ("choices", "values", "labels", "names")):
                yield path, node.lineno, node.attr


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def test_every_member_is_used_by_the_code():
    used = {name for path, _, name in _member_uses() if not _is_test(path)}
    assert len(used) > 50  # the scan sees the services (a broken scan must not pass)
    unused = sorted(set(Action.names) - used)
    assert not unused, f"Action members no service, view or command uses (remove them or use them): {unused}"


def test_the_code_names_no_action_outside_the_enumeration():
    unknown = [f"{path.relative_to(ROOT)}:{line} Action.{name}" for path, line, name in _member_uses()
               if name not in Action.names]
    assert not unknown, unknown


def test_no_audit_call_spells_its_action_as_a_string():
    """The static half of audit_record's refusal: it also sees the calls no test runs."""
    spelled = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (_call_name(node) == "audit_record"
                                               or ("AuditLog" in ast.unparse(node.func) and _call_name(node) == "create")):
                for keyword in node.keywords:
                    if keyword.arg == "action" and any(isinstance(part, ast.Constant | ast.JoinedStr | ast.BinOp)
                                                       for part in ast.walk(keyword.value)):
                        spelled.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(keyword.value)}")
    assert not spelled, f"write Action members, not strings: {spelled}"


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["plan.create", "plan.made_up", ""])
def test_audit_record_refuses_a_plain_string_and_writes_nothing(world, action):
    with pytest.raises(TypeError, match="Action"):
        audit_record(actor=world.central, action=action, message="x")
    assert not AuditLog.objects.exists()


@pytest.mark.django_db
def test_a_member_is_stored_as_its_dotted_value(world):
    entry = audit_record(actor=world.central, action=Action.PLAN_APPROVE)
    stored = AuditLog.objects.values_list("action", flat=True).get(pk=entry.pk)
    assert stored == "plan.approve" and type(stored) is str
    assert AuditLog.objects.get(pk=entry.pk).action_label == "审核通过"


def test_values_and_labels_are_one_to_one():
    # a repeated value would make an alias (one member under two names), a repeated label two
    # filter options the viewer cannot tell apart
    assert len(Action.__members__) == len(Action) == len(set(Action.values))
    assert len(set(Action.labels)) == len(Action.labels)
    for member in Action:
        area, _, verb = member.value.partition(".")
        assert area and verb and member.value == member.value.lower() and len(member.value) <= 64, member
        assert member.name == member.value.replace(".", "_").upper(), member


def test_every_filter_group_takes_some_action_and_a_stored_unknown_shows_as_it_is():
    for prefix, _ in ACTION_GROUPS:
        assert [v for v in Action.values if v.startswith(prefix)], prefix
    assert action_label("paper.preview") == "paper.preview"  # a value no member holds (old rows)
    assert action_label(Action.PLAN_UPDATE) == "管局修改考核计划"
