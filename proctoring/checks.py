"""Snapshots must never be where a web server serves files (docs/decisions.md#snapshot-private: never a public URL)."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return True


@register()
def snapshot_root_is_private(app_configs=None, **kwargs):
    root = Path(settings.PROCTORING_SNAPSHOT_ROOT)
    errors = []
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        public = getattr(settings, name, None)
        if public and (_inside(root, Path(public)) or _inside(Path(public), root)):
            errors.append(Error(
                f"PROCTORING_SNAPSHOT_ROOT ({root}) 不能位于 {name} ({public}) 之内：考试抓拍照片不得有公开地址",
                id="proctoring.E001"))
    return errors
