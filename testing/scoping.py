"""The scoping suite.

Every view is tried as anonymous, as the wrong role, as another region's administrator and as
the right user (docs/decisions.md#scoping-suite). An app's tests/test_scoping.py supplies only its data:

    def test_plan_detail_scoping(client, world):
        plan = make_plan(region=world.region_a)
        assert_scoping(client, world, ScopeCase(
            url=reverse("plans:detail", args=[plan.pk]),
            roles={Role.CENTRAL, Role.REGIONAL}, owner_region=world.region_a))

Every request the suite makes records the URL name it resolved to (CALLED); a full test run
fails when a view of ours was never requested by a scoping suite (testing/scoping_coverage.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.test import Client
from django.urls import resolve

from core.roles import Role
from testing.world import World


@dataclass
class ScopeCase:
    url: str
    method: str = "get"
    data: dict | None = None
    # roles that may use the view at all
    roles: set = field(default_factory=lambda: {Role.CENTRAL, Role.REGIONAL})
    # the region the object behind the URL belongs to; another region's admin must get 404
    owner_region: object | None = None
    # for list pages: text that another region's administrator must not see
    hidden_text: str | None = None
    # statuses that count as success for the allowed user
    ok: tuple = (200, 302)
    # called after the refused attempts: must not raise (nothing was changed)
    unchanged: Callable[[], None] | None = None
    # try the allowed users too (set False for one-shot writes checked elsewhere)
    try_allowed: bool = True
    extra: dict = field(default_factory=dict)


# The URL names this process's suite requests resolved to, in order. The scoping-coverage
# plugin (testing/scoping_coverage.py) credits each to the test that made it and fails a full run
# in which a view of ours was never requested here.
CALLED: list[str] = []


def _call(client: Client, case: ScopeCase):
    CALLED.append(resolve(urlsplit(case.url).path).view_name)
    return getattr(client, case.method.lower())(case.url, case.data or {}, **case.extra)


def _as(client: Client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def assert_scoping(client: Client, world: World, case: ScopeCase) -> None:
    # 1. anonymous: sent to a login page (or 401/403 for an htmx/JSON endpoint), never served
    response = _call(_as(client, None), case)
    assert response.status_code in (302, 401, 403), f"anonymous got {response.status_code} for {case.url}"
    if response.status_code == 302:
        assert "login" in response["Location"], f"anonymous redirected to {response['Location']}"

    # 2. each role that may not use the view: 403
    role_users = {Role.CENTRAL: world.central, Role.REGIONAL: world.admin_a, Role.CANDIDATE: world.candidate}
    for role, user in role_users.items():
        if role not in case.roles:
            response = _call(_as(client, user), case)
            assert response.status_code in (403, 404), f"{role} got {response.status_code} for {case.url}"

    # 3. another region's administrator: the object does not exist for them (404), or a list
    #    that does not show the other region's rows
    if Role.REGIONAL in case.roles:
        other = world.admin_b if case.owner_region is None or case.owner_region.pk == world.region_a.pk else world.admin_a
        if case.owner_region is not None:
            response = _call(_as(client, other), case)
            assert response.status_code == 404, f"other region got {response.status_code} for {case.url}"
        elif case.hidden_text:
            response = _call(_as(client, other), case)
            assert response.status_code in case.ok
            assert case.hidden_text not in response.content.decode(), f"other region saw {case.hidden_text!r}"

    if case.unchanged is not None:
        case.unchanged()

    # 4. the right users succeed
    if case.try_allowed:
        for role in case.roles:
            if role == Role.REGIONAL:
                owner = world.admin_a
                if case.owner_region is not None and case.owner_region.pk == world.region_b.pk:
                    owner = world.admin_b
                user = owner
            else:
                user = role_users[role]
            response = _call(_as(client, user), case)
            assert response.status_code in case.ok, f"{role} got {response.status_code} for {case.url}"
    client.logout()
