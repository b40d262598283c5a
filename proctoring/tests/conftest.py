import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from exams.tests.factories import open_plan, rules_for, sitting
from questions.tests.factories import make_bank

DATA = Path(__file__).parent / "data"


def face_jpeg() -> bytes:
    return (DATA / "face.jpg").read_bytes()


def two_faces_jpeg() -> bytes:
    return (DATA / "two_faces.jpg").read_bytes()


def jpeg(image: Image.Image, quality: int = 80) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def dark_jpeg() -> bytes:
    """A hand over the lens: near black with sensor noise."""
    rng = np.random.default_rng(1)
    return jpeg(Image.fromarray(rng.integers(0, 25, (240, 320, 3), dtype=np.uint8)))


def blank_jpeg() -> bytes:
    """A camera pointed at a wall or covered with paper: bright but flat."""
    return jpeg(Image.new("RGB", (320, 240), (200, 198, 190)))


def scene_jpeg() -> bytes:
    """A lit, textured room without anyone in it (the demo's snapshot too)."""
    from proctoring.demo import empty_room_jpeg

    return empty_room_jpeg()


@pytest.fixture
def bank(world):
    return make_bank(world.central, per_cell=4)


@pytest.fixture
def rule(world, bank):
    return rules_for(world.central)


@pytest.fixture
def plan(rule):
    """继续教育(线上) (remote) in 北京, started 5 minutes ago, 90 minutes long."""
    return open_plan()


@pytest.fixture
def registration(world, plan):
    """world.candidate's registration in `plan`, paper drawn, consent given."""
    return sitting(plan, user=world.candidate, person__name="王建国")


@pytest.fixture
def started(world, registration):
    from exams.models import Attempt
    from exams.services import attempt_open_session, attempt_start

    attempt = attempt_start(registration=registration, acting_user=world.candidate)
    attempt_open_session(attempt=attempt)
    return Attempt.objects.select_related("plan", "registration__person").get(pk=attempt.pk)


@pytest.fixture
def other_candidate(db):
    from accounts.models import User
    from core.roles import Role
    from testing.world import TEST_PASSWORD

    return User.objects.create_user("t_candidate2", TEST_PASSWORD, role=Role.CANDIDATE, full_name="另一考生",
                                    phone="13900000098")
