"""The people of a small world: two regions (北京 11, 广东 44), a central account, one
administrator each and a candidate; and the reference data the data migrations load."""

from dataclasses import dataclass

from core.roles import Role

TEST_PASSWORD = "Test@2026pass"

# Reference data that data migrations load. A transactional test (the browser tests) flushes
# the tables afterwards, so tests put it back through the same functions the migrations call.
REFERENCE_DATA = ["regions.data", "people.data", "plans.data", "blacklist.data"]


def ensure_reference_data() -> None:
    import importlib

    for path in REFERENCE_DATA:
        try:
            module = importlib.import_module(path)
        except ModuleNotFoundError as exc:
            if exc.name == path:
                continue
            raise
        module.ensure()


@dataclass
class World:
    region_a: object  # 北京市 (11)
    region_b: object  # 广东省 (44)
    central: object
    admin_a: object
    admin_b: object
    candidate: object


def make_world() -> World:
    # imported here: the root conftest imports this module before Django's apps are ready
    from accounts.models import User
    from regions.models import Region

    region_a = Region.objects.get(code="11")
    region_b = Region.objects.get(code="44")

    def user(username, role, region=None, phone="13900000000"):
        return User.objects.create_user(
            username, TEST_PASSWORD, role=role, region=region, full_name=username, phone=phone
        )

    return World(
        region_a=region_a,
        region_b=region_b,
        central=user("t_central", Role.CENTRAL, phone="13900000001"),
        admin_a=user("t_admin_bj", Role.REGIONAL, region_a, phone="13900000011"),
        admin_b=user("t_admin_gd", Role.REGIONAL, region_b, phone="13900000044"),
        candidate=user("t_candidate", Role.CANDIDATE, phone="13900000099"),
    )
