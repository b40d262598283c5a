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
    errors = []
    for setting in ("PROCTORING_SNAPSHOT_ROOT", "PROCTORING_INBOX_ROOT"):
        root = Path(getattr(settings, setting))
        for name in ("MEDIA_ROOT", "STATIC_ROOT"):
            public = getattr(settings, name, None)
            if public and (_inside(root, Path(public)) or _inside(Path(public), root)):
                errors.append(Error(
                    f"{setting} ({root}) 不能位于 {name} ({public}) 之内：考试抓拍照片不得有公开地址",
                    id="proctoring.E001"))
    return errors


@register()
def direct_upload_is_signed(app_configs=None, **kwargs):
    """Snapshots written by nginx (proctoring.direct) need the prefix in the form nginx matches
    and a secret long enough that a signature cannot be guessed."""
    prefix = settings.PROCTORING_DIRECT_UPLOAD_PREFIX
    if not prefix:
        return []
    errors = []
    if not (prefix.startswith("/") and prefix.endswith("/")) or "//" in prefix:
        errors.append(Error(f"PROCTORING_DIRECT_UPLOAD_PREFIX（{prefix}）必须以 / 开头并以 / 结尾，例如 /snapshot-inbox/",
                            id="proctoring.E002"))
    from .direct import SECRET

    if not SECRET.match(settings.PROCTORING_DIRECT_UPLOAD_SECRET or ""):
        errors.append(Error("设置了 PROCTORING_DIRECT_UPLOAD_PREFIX 时，PROCTORING_DIRECT_UPLOAD_SECRET 至少要 32 个字符，"
                            "只能是字母、数字、_ 和 -（与 nginx 的 secure_link_md5 共用）", id="proctoring.E003"))
    return errors
