from django.db import models


class RunStatus(models.TextChoices):
    """ImportRun.status: uploaded (checked as a file, waiting for 导入) → queued/running → done;
    or rejected (the whole file refused, or the plan no longer accepts imports) / failed."""

    UPLOADED = "uploaded", "已上传，待导入"
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    REJECTED = "rejected", "已拒绝"
    FAILED = "failed", "出错"


class RunSource(models.TextChoices):
    WEB = "web", "网页"
    CLI = "cli", "命令行"
    DEMO = "demo", "演示数据"


# Files with more rows than this are imported by a background job (issue 6 §3).
BACKGROUND_THRESHOLD = 1000
# Shown on the result page; the full list is in the downloadable report.
ERRORS_SHOWN = 500
EXISTING_MESSAGE = "已存在(未重复导入)"
