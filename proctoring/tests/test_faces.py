"""The automatic note on real and made pictures (docs/decisions.md#snapshot-note), with OpenCV's cascade from the wheel."""

from pathlib import Path

import cv2
import pytest

from proctoring import faces
from proctoring.choices import SnapshotNote

from .conftest import blank_jpeg, dark_jpeg, face_jpeg, jpeg, scene_jpeg, two_faces_jpeg


def test_one_face_is_normal():
    result = faces.check_jpeg(face_jpeg())
    assert (result.note, result.faces) == (SnapshotNote.NORMAL, 1)
    assert result.brightness > faces.DARK_MEAN and result.contrast > faces.FLAT_STD


def test_two_faces_are_more_than_one():
    result = faces.check_jpeg(two_faces_jpeg())
    assert (result.note, result.faces) == (SnapshotNote.MULTIPLE_FACES, 2)


def test_an_empty_room_has_no_face():
    result = faces.check_jpeg(scene_jpeg())
    assert (result.note, result.faces) == (SnapshotNote.NO_FACE, 0)


def test_the_face_turned_away_or_cut_off_is_no_face():
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(face_jpeg()))
    lower = image.crop((0, 150, 320, 240)).resize((320, 240))  # only the shoulders in view
    assert faces.check_jpeg(jpeg(lower)).note == SnapshotNote.NO_FACE


@pytest.mark.parametrize("make", [dark_jpeg, blank_jpeg])
def test_a_covered_dark_or_flat_frame_is_obscured(make):
    result = faces.check_jpeg(make())
    assert result.note == SnapshotNote.OBSCURED and result.faces is None


def test_a_dimmed_face_is_obscured_not_normal():
    import io

    from PIL import Image, ImageEnhance

    dim = ImageEnhance.Brightness(Image.open(io.BytesIO(face_jpeg()))).enhance(0.15)
    assert faces.check_jpeg(jpeg(dim)).note == SnapshotNote.OBSCURED


def test_unreadable_bytes_raise():
    with pytest.raises(ValueError):
        faces.check_jpeg(b"\xff\xd8\xff\xe0 not really a jpeg")


def test_the_cascade_ships_inside_the_opencv_package():
    path = Path(cv2.data.haarcascades) / faces.CASCADE
    assert path.is_file() and Path(cv2.__file__).parent in path.parents
    assert not faces._cascade().empty()


@pytest.mark.parametrize("width", [320, 480, 640])
def test_the_note_holds_at_every_snapshot_size(width):
    import io

    from PIL import Image

    def at(data):
        image = Image.open(io.BytesIO(data)).convert("RGB").resize((width, width * 3 // 4), Image.LANCZOS)
        return faces.check_jpeg(jpeg(image, quality=70)).note

    assert at(face_jpeg()) == SnapshotNote.NORMAL
    assert at(two_faces_jpeg()) == SnapshotNote.MULTIPLE_FACES
    assert at(scene_jpeg()) == SnapshotNote.NO_FACE


def test_a_somewhat_dim_face_is_still_found():
    import io

    from PIL import Image, ImageEnhance

    dim = ImageEnhance.Brightness(Image.open(io.BytesIO(face_jpeg()))).enhance(0.45)
    result = faces.check_jpeg(jpeg(dim))
    assert result.brightness > faces.DARK_MEAN and result.note == SnapshotNote.NORMAL
