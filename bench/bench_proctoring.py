"""The face check of one proctoring snapshot (proctoring.faces.check_jpeg) at the page's size,
480×360 JPEG quality 0.7 (the settings' defaults), against the floor of decoding the same JPEG
alone. Pure CPU, no database (SQLite pass only). Also prints what 10,000 candidates taking one
snapshot every 30 s ask of the workers, from the measured time."""

import io
import os
import sys
import time
from pathlib import Path

import _common  # noqa: F401  (puts the project on sys.path)

N = int(os.environ.get("BENCH_FACE_N", "200"))
CANDIDATES = 10_000
INTERVAL = 30


def _frames() -> dict[str, bytes]:
    from PIL import Image

    data = Path(_common.ROOT) / "proctoring" / "tests" / "data"
    frames = {}
    for name in ("face", "two_faces"):
        image = Image.open(data / f"{name}.jpg").convert("RGB").resize((480, 360), Image.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=70)
        frames[name] = buffer.getvalue()
    return frames


def main():
    if os.environ.get("DATABASE_URL"):
        print("# bench_proctoring uses no database: figures on the SQLite pass only")
        return 0
    import cv2
    import numpy as np

    from proctoring.faces import check_jpeg

    for name, data in _frames().items():
        check_jpeg(data)  # load the cascade once
        start = time.perf_counter()
        for _ in range(N):
            check_jpeg(data)
        value = (time.perf_counter() - start) / N * 1000
        start = time.perf_counter()
        for _ in range(N):
            cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
        floor = (time.perf_counter() - start) / N * 1000
        _common.report(f"face check one snapshot 480x360 ({name}, {len(data)} B)", value, "ms", floor)
        rate = CANDIDATES / INTERVAL
        print(f"# {CANDIDATES} candidates, one snapshot every {INTERVAL} s: {rate:.0f} snapshots/s, "
              f"{rate * value / 1000:.1f} CPU cores of face checks to keep up", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
