"""Constants of remote proctoring (继续教育(线上), docs/decisions.md#proctoring). Kept apart from the exam engine:
camera snapshots are sensitive personal information (个人信息保护法 Art. 28)."""

from django.db import models


class ConsentPurpose(models.TextChoices):
    """What a candidate consents to, each separately (个人信息保护法 Art. 29: 单独同意)."""

    CAMERA = "camera", "摄像头抓拍"
    BEHAVIOUR = "behaviour", "考试行为记录"


class EventKind(models.TextChoices):
    """What the remote exam page (or the server) records."""

    PAGE_HIDDEN = "page_hidden", "离开考试页面"
    PAGE_VISIBLE = "page_visible", "返回考试页面"
    WINDOW_BLUR = "window_blur", "考试窗口失去焦点"
    WINDOW_FOCUS = "window_focus", "考试窗口恢复焦点"
    FULLSCREEN_EXIT = "fullscreen_exit", "退出全屏"
    FULLSCREEN_ENTER = "fullscreen_enter", "进入全屏"
    COPY = "copy", "复制（已阻止）"
    CUT = "cut", "剪切（已阻止）"
    PASTE = "paste", "粘贴（已阻止）"
    NETWORK_OFFLINE = "network_offline", "网络中断"
    NETWORK_ONLINE = "network_online", "网络恢复"
    CAMERA_STARTED = "camera_started", "摄像头已开启"
    CAMERA_UNAVAILABLE = "camera_unavailable", "摄像头不可用"
    # written by the server when the exam page is opened again (a reload, another tab or another
    # computer): the engine's session takeover (exams.services.attempt_open_session)
    SESSION_OPENED = "session_opened", "再次打开考试页面（接管了之前的页面）"
    # written by the server when a snapshot nginx wrote to the inbox is refused at ingest
    # (proctoring.direct): the page counted it as uploaded, so the record says what became of it
    SNAPSHOT_REFUSED = "snapshot_refused", "抓拍未入库（服务器拒收）"


# Kinds that count as incidents on the 管局's monitor and in the evidence summary; the others
# (returning, regaining focus, the camera starting) only complete the timeline.
INCIDENT_KINDS = frozenset({
    EventKind.PAGE_HIDDEN, EventKind.WINDOW_BLUR, EventKind.FULLSCREEN_EXIT, EventKind.COPY, EventKind.CUT,
    EventKind.PASTE, EventKind.NETWORK_OFFLINE, EventKind.CAMERA_UNAVAILABLE, EventKind.SESSION_OPENED,
})
# Only the server writes these; a page that sends one is refused.
SERVER_KINDS = frozenset({EventKind.SESSION_OPENED, EventKind.SNAPSHOT_REFUSED})


class SnapshotNote(models.TextChoices):
    """The automatic note on one snapshot (proctoring.faces), computed in the background."""

    PENDING = "pending", "待分析"
    NORMAL = "normal", "正常"
    NO_FACE = "no_face", "未检测到人脸"
    MULTIPLE_FACES = "multiple_faces", "多于一张人脸"
    OBSCURED = "obscured", "画面遮挡或过暗"
    FAILED = "failed", "无法分析"


FLAGGED_NOTES = frozenset({SnapshotNote.NO_FACE, SnapshotNote.MULTIPLE_FACES, SnapshotNote.OBSCURED,
                           SnapshotNote.FAILED})

# A snapshot is taken every PROCTORING_SNAPSHOT_SECONDS and at each incident; this many in a row
# at most for events (a copy key held down must not send hundreds of photos).
EVENT_SNAPSHOT_MIN_GAP_SECONDS = 3
MAX_EVENTS_PER_REQUEST = 200
# far above what an honest page records in an exam (a few dozen); a flooding page is refused
MAX_EVENTS_PER_ATTEMPT = 5000
# Events that happened during the exam but arrive late (the network came back after the
# deadline) are still kept this long after deadline + grace.
EVENT_LATE_MINUTES = 10
