"""Demo data of the proctoring app: a camera snapshot of an empty room on an ended attempt, so
the violation check's evidence page shows a snapshot whose automatic note is 未检测到人脸.

The demo's ended plan is written in bulk, as the engine would have left it (review/demo.py),
so its snapshot is stored the same way the upload service stores one (private storage, a
Snapshot row) and then analysed by the real face check, not given a note by hand."""

from __future__ import annotations

import datetime
import hashlib
import io
import uuid

from django.core.files.base import ContentFile
from django.utils import timezone

from .models import Snapshot
from .services import snapshot_analyse
from .storage import snapshot_storage


def empty_room_jpeg() -> bytes:
    """A lit, textured room without anyone in it: a wall, a desk, a window and a shelf."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (180, 170, 150))
    draw = ImageDraw.Draw(image)
    for x in range(0, 320, 4):  # a gradient of daylight along the wall
        draw.line([(x, 0), (x, 150)], fill=(150 + x // 6, 140 + x // 8, 120))
    draw.rectangle([190, 20, 300, 110], fill=(215, 230, 245), outline=(60, 60, 60), width=4)
    draw.line([(245, 20), (245, 110)], fill=(60, 60, 60), width=3)
    draw.rectangle([0, 150, 320, 240], fill=(110, 75, 40))
    for i in range(6):
        draw.rectangle([20 + i * 22, 60, 36 + i * 22, 140], fill=(40 + 30 * i, 90, 160 - 20 * i))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def plant_snapshot(attempt, *, taken_at: datetime.datetime, data: bytes | None = None) -> Snapshot:
    """Store one periodic snapshot on `attempt` (of any state) and run the face check on it."""
    data = data or empty_room_jpeg()
    storage = snapshot_storage()
    name = storage.save(f"{attempt.plan_id}/{attempt.pk}/{uuid.uuid4().hex}.jpg", ContentFile(data))
    snapshot = Snapshot.objects.create(
        attempt=attempt, client_id=f"demo-{uuid.uuid4().hex[:16]}", trigger="periodic", taken_at=taken_at,
        received_at=taken_at or timezone.now(), file_name=name, size=len(data), width=320, height=240,
        sha256=hashlib.sha256(data).hexdigest())
    snapshot_analyse(snapshot.pk)
    snapshot.refresh_from_db()
    return snapshot
