"""The two checks a service makes of its caller (core.scoping.require_role, assert_visible), and
the rule that services use them instead of writing their own."""

import ast
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

from core.errors import PermissionDenied
from core.roles import Role
from core.scoping import assert_visible, is_visible, require_role

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- require_role


@pytest.mark.django_db
def test_require_role_admits_only_the_named_roles(world):
    require_role(world.central, Role.CENTRAL)
    require_role(world.admin_a, Role.CENTRAL, Role.REGIONAL)
    require_role(world.candidate, Role.CANDIDATE)
    for user, roles in [(world.admin_a, (Role.CENTRAL,)), (world.candidate, (Role.CENTRAL, Role.REGIONAL)),
                        (world.central, (Role.REGIONAL,)), (world.central, (Role.CANDIDATE,))]:
        with pytest.raises(PermissionDenied):
            require_role(user, *roles)


@pytest.mark.django_db
def test_require_role_refuses_inactive_anonymous_and_no_user(world):
    world.central.is_active = False
    for user in (world.central, AnonymousUser(), None):
        with pytest.raises(PermissionDenied):
            require_role(user, Role.CENTRAL, Role.REGIONAL, Role.CANDIDATE)


@pytest.mark.django_db
def test_require_role_says_the_callers_message_or_the_default(world):
    with pytest.raises(PermissionDenied) as caught:
        require_role(world.admin_a, Role.CENTRAL, message="只有部中心可以管理黑名单")
    assert caught.value.message == "只有部中心可以管理黑名单"
    assert caught.value.code == "forbidden"
    with pytest.raises(PermissionDenied) as caught:
        require_role(world.admin_a, Role.CENTRAL)
    assert caught.value.message == "您没有权限执行此操作"


def test_require_role_needs_a_role():
    with pytest.raises(TypeError):
        require_role(None)


# ---------------------------------------------------------------- assert_visible


@pytest.fixture
def rows(world):
    """One row of each scope shape: a plan (region), a registration of world.candidate (region +
    candidate), its person (a one-to-many region path), an audit row (a refined visible_to), a
    region (the path "pk") and a 违规类型 (shared reference data)."""
    from audit.actions import Action
    from audit.services import audit_record
    from blacklist.models import ViolationCategory
    from candidates.tests.factories import RegistrationFactory
    from plans.tests.factories import ExamPlanFactory

    plan = ExamPlanFactory(region=world.region_a)
    other_plan = ExamPlanFactory(region=world.region_b)
    registration = RegistrationFactory(plan=plan, person__user=world.candidate)
    other_registration = RegistrationFactory(plan=other_plan)
    log = audit_record(actor=world.admin_a, action=Action.PLAN_UPDATE, region=world.region_a)
    category = ViolationCategory.objects.first() or ViolationCategory.objects.create(name="测试违规")
    return dict(plan=plan, other_plan=other_plan, registration=registration, other_registration=other_registration,
                person=registration.person, other_person=other_registration.person, log=log,
                region=world.region_a, other_region=world.region_b, category=category)


@pytest.mark.django_db
def test_assert_visible_a_region_only_its_own(world, rows):
    assert_visible(rows["plan"], world.admin_a)
    assert_visible(rows["registration"], world.admin_a)
    assert_visible(rows["person"], world.admin_a)
    for obj in ("other_plan", "other_registration", "other_person", "other_region"):
        with pytest.raises(PermissionDenied):
            assert_visible(rows[obj], world.admin_a, message="只能管理本地区的考核计划")
    with pytest.raises(PermissionDenied) as caught:
        assert_visible(rows["plan"], world.admin_b, message="只能管理本地区的考核计划")
    assert caught.value.message == "只能管理本地区的考核计划"


@pytest.mark.django_db
def test_assert_visible_central_any_candidate_its_own(world, rows):
    for obj in rows.values():
        assert_visible(obj, world.central)
    assert_visible(rows["registration"], world.candidate)
    assert_visible(rows["person"], world.candidate)
    for obj in ("plan", "other_registration", "other_person", "log", "category"):
        with pytest.raises(PermissionDenied):
            assert_visible(rows[obj], world.candidate)


@pytest.mark.django_db
def test_assert_visible_refuses_inactive_anonymous_and_unsaved(world, rows):
    from plans.models import ExamPlan

    with pytest.raises(PermissionDenied):
        assert_visible(ExamPlan(region=world.region_a), world.central)
    with pytest.raises(PermissionDenied):
        assert_visible(rows["plan"], AnonymousUser())
    world.admin_a.is_active = False
    with pytest.raises(PermissionDenied):
        assert_visible(rows["plan"], world.admin_a)


@pytest.mark.django_db
def test_assert_visible_follows_the_row_not_the_default_manager(world, rows):
    """A soft-deleted plan (hidden by ExamPlan.objects) is still its region's plan."""
    from django.utils import timezone

    from plans.models import ExamPlan

    ExamPlan.all_objects.filter(pk=rows["plan"].pk).update(deleted_at=timezone.now())
    plan = ExamPlan.all_objects.get(pk=rows["plan"].pk)
    assert_visible(plan, world.admin_a)
    with pytest.raises(PermissionDenied):
        assert_visible(plan, world.admin_b)


@pytest.mark.django_db
def test_is_visible_agrees_with_visible_to(world, rows):
    """The in-memory reading of the scope path and the query give the same answer for every
    row shape and every kind of caller."""
    for user in (world.central, world.admin_a, world.admin_b, world.candidate):
        for name, obj in rows.items():
            model = type(obj)
            qs = type(model._default_manager.all())(model=model)
            qs = qs.visible_to(user) if hasattr(qs, "visible_to") else qs
            expected = qs.filter(pk=obj.pk).exists()
            assert is_visible(obj, user) is expected, (name, user.username)


# ---------------------------------------------------------------- no module checks roles by itself

SERVICE_MODULES = re.compile(r"(services|selectors|printing|rules)\.py$")


def _service_files():
    for path in sorted(ROOT.glob("*/**/*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".venv", "tests", "core", "bench", "config"} or "tests" in rel.parts:
            continue
        if "migrations" in rel.parts or not SERVICE_MODULES.search(path.name):
            continue
        yield rel, path.read_text(encoding="utf-8")


def _mentions_role(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr == "role":
            return True
        if (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == "getattr"
                and len(sub.args) >= 2 and isinstance(sub.args[1], ast.Constant) and sub.args[1].value == "role"):
            return True
    return False


def _raises_permission_denied(body: list[ast.stmt]) -> bool:
    for stmt in body:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Raise) and sub.exc is not None:
                target = sub.exc.func if isinstance(sub.exc, ast.Call) else sub.exc
                if isinstance(target, ast.Name) and target.id == "PermissionDenied":
                    return True
    return False


ROLE_WORDS = re.compile(r"central|regional|candidate|role|staff|admin")


def own_role_checks(rel, source: str) -> list[str]:
    """Where a module defines a `_require_*`/`require_*` role function (by its name or because
    it reads a role; `_require_consent` is not one) or refuses a caller by
    comparing its role itself (an `if` on `.role` that raises PermissionDenied)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and re.match(r"_?require_", node.name) and (
                ROLE_WORDS.search(node.name) or _mentions_role(node)):
            found.append(f"{rel}:{node.lineno} def {node.name}")
        if isinstance(node, ast.If) and _mentions_role(node.test) and _raises_permission_denied(node.body):
            found.append(f"{rel}:{node.lineno} an inline role check")
    return found


def test_services_check_roles_only_through_core():
    files = list(_service_files())
    assert len(files) > 20, "the walk found no services modules"
    found = [hit for rel, source in files for hit in own_role_checks(rel, source)]
    assert not found, "use core.scoping.require_role / assert_visible instead:\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    "def _require_central(user):\n    pass\n",
    "def require_regional(user):\n    pass\n",
    "def _require_owner(user):\n    return user.role\n",
    "def f(user):\n    if user.role != Role.CENTRAL:\n        raise PermissionDenied('x')\n",
    "def f(user):\n    if getattr(user, 'role', None) not in (1, 2) or not user.is_active:\n"
    "        raise PermissionDenied()\n",
])
def test_the_guard_sees_an_own_role_check(source):
    assert own_role_checks("x/services.py", source)


def test_the_guard_lets_other_requirements_be():
    assert not own_role_checks("x/services.py", "def _require_consent(attempt, purpose):\n    pass\n")


def test_the_guard_lets_a_role_branch_be():
    """Choosing by role what to show is not a refusal (the blacklist export masks for a region)."""
    assert not own_role_checks("x/services.py", "def f(user):\n    masked = user.role != Role.CENTRAL\n"
                                                "    if user.role == Role.REGIONAL:\n        return 1\n")
