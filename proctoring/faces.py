"""The automatic note on one snapshot (docs/decisions.md#snapshot-note): 画面遮挡或过暗 when the picture is dark or
flat (a covered lens, a dark room), else the number of frontal faces OpenCV's Haar cascade
finds: none → 未检测到人脸, more than one → 多于一张人脸, one → 正常.

The cascade is the XML file shipped inside the opencv-python-headless wheel
(cv2.data.haarcascades): nothing is downloaded at run time. A pure function over the JPEG
bytes, so the background task, the tests and a re-analysis call the same code."""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .choices import SnapshotNote

# A covered camera gives a near-black or near-uniform frame; a face in an ordinary room has a
# mean grey well above 40 and a standard deviation above 15 (measured on the test pictures:
# face.jpg 142/70, the chromium fake camera ~110/60, a hand over the lens ~10/4).
DARK_MEAN = 40.0
FLAT_STD = 15.0
CASCADE = "haarcascade_frontalface_default.xml"
# faces smaller than this share of the frame's shorter side are someone far behind, or noise
# (a candidate at their own computer fills far more; someone beside them, about a fifth)
MIN_FACE_SHARE = 0.15
# The cascade runs on a copy at most this wide, with scale steps of 20%: four times cheaper than
# the full 480×360 picture at 10% steps, with the same notes on every test picture at 320, 480
# and 640 wide (bench/bench_proctoring.py has the time).
DETECT_WIDTH = 320
SCALE_FACTOR = 1.2


@dataclass(frozen=True)
class FaceCheck:
    note: str
    faces: int | None
    brightness: float
    contrast: float


@lru_cache(maxsize=1)
def _cascade():
    import cv2

    classifier = cv2.CascadeClassifier(cv2.data.haarcascades + CASCADE)
    if classifier.empty():
        raise RuntimeError(f"OpenCV 的人脸检测文件 {CASCADE} 无法读取")
    return classifier


def check_jpeg(data: bytes) -> FaceCheck:
    """The note of one JPEG. Raises ValueError when the bytes are not a readable image."""
    import cv2

    grey = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if grey is None or grey.size == 0:
        raise ValueError("图片无法解码")
    return check_grey(grey)


def check_grey(grey: np.ndarray) -> FaceCheck:
    import cv2

    brightness, contrast = float(grey.mean()), float(grey.std())
    if brightness < DARK_MEAN or contrast < FLAT_STD:
        return FaceCheck(SnapshotNote.OBSCURED, None, round(brightness, 1), round(contrast, 1))
    height, width = grey.shape[:2]
    if width > DETECT_WIDTH:
        grey = cv2.resize(grey, (DETECT_WIDTH, max(1, height * DETECT_WIDTH // width)), interpolation=cv2.INTER_AREA)
    side = max(24, int(min(grey.shape[:2]) * MIN_FACE_SHARE))

    def detect(image):
        return len(_cascade().detectMultiScale(image, scaleFactor=SCALE_FACTOR, minNeighbors=5, minSize=(side, side)))

    # The picture as it is first; only when that finds nobody, once more with the histogram
    # equalised (a dim room). Equalising every picture made a second "face" of a dark collar
    # in the test photo at 480×360.
    faces = detect(grey) or detect(cv2.equalizeHist(grey))
    note = SnapshotNote.NORMAL if faces == 1 else SnapshotNote.NO_FACE if faces == 0 else SnapshotNote.MULTIPLE_FACES
    return FaceCheck(note, faces, round(brightness, 1), round(contrast, 1))
