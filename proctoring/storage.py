"""Private storage of camera snapshots: files under settings.PROCTORING_SNAPSHOT_ROOT, a folder
outside MEDIA_ROOT and STATIC_ROOT (proctoring.checks refuses one inside them), so no web
server serves them; the only way to a picture is central's audited view
(proctoring.views.snapshot_image). The storage has no URL on purpose."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateSnapshotStorage(FileSystemStorage):
    def __init__(self):
        # read at each use, so a test's settings override holds
        super().__init__(location=str(Path(settings.PROCTORING_SNAPSHOT_ROOT)), base_url=None,
                         file_permissions_mode=0o600, directory_permissions_mode=0o700)

    def url(self, name):
        raise NotImplementedError("考试抓拍照片没有公开地址：只能经部中心的查看页面读取")


def snapshot_storage() -> PrivateSnapshotStorage:
    return PrivateSnapshotStorage()
