"""Remote proctoring of 继续教育(线上) (docs/decisions.md#proctoring).

* `ConsentRecord`: each answer a candidate gave to one purpose (camera snapshots, behaviour
  events), with the text version and digest it answered, time, IP and browser; append-only, the
  latest per purpose counts (个人信息保护法 Art. 28–29: separate, explicit consent).
* `ProctorEvent`: what the exam page (or the server) recorded, with server and client times;
  append-only and idempotent by the page's client id.
* `Snapshot`: one camera picture in private storage (proctoring.storage), its automatic note
  (proctoring.faces) and, after the retention, the time its file was deleted.

Scoping: consent and events are the candidate's region's (a 管局 sees counts on its monitor);
snapshots have no region path at all, so `visible_to` gives them to central only.
"""

from django.db import models

from core.scoping import ScopedManager

from .choices import ConsentPurpose, EventKind, SnapshotNote


class AppendOnly(models.Model):
    """Rows written once: an update or a delete raises (a trail must not change)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise RuntimeError(f"{self._meta.verbose_name}只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{self._meta.verbose_name}只能追加，不能删除")


class ConsentRecord(AppendOnly):
    registration = models.ForeignKey("candidates.Registration", verbose_name="考生报名", on_delete=models.PROTECT,
                                     related_name="+")
    user = models.ForeignKey("accounts.User", verbose_name="考生账号", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField("同意事项", max_length=16, choices=ConsentPurpose.choices)
    granted = models.BooleanField("是否同意")
    text_version = models.CharField("告知书版本", max_length=32)
    text_digest = models.CharField("告知书摘要（SHA-256）", max_length=64)
    at = models.DateTimeField("时间")
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=200, blank=True)

    objects = ScopedManager()
    scope_region_field = "registration__region"
    scope_candidate_field = "user"

    class Meta:
        verbose_name = verbose_name_plural = "远程监考同意记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["registration", "purpose", "at"], name="consent_reg_purpose_idx")]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.purpose} {'同意' if self.granted else '不同意'}"


class ProctorEvent(AppendOnly):
    attempt = models.ForeignKey("exams.Attempt", verbose_name="考试记录", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("事件", max_length=24, choices=EventKind.choices)
    # chosen by the page (a random id), so a replayed batch is stored once
    client_id = models.CharField("客户端编号", max_length=64)
    client_at = models.DateTimeField("客户端时间", null=True, blank=True)
    server_at = models.DateTimeField("服务器时间")
    duration_ms = models.PositiveBigIntegerField("持续时间（毫秒）", null=True, blank=True)
    detail = models.CharField("说明", max_length=200, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    objects = ScopedManager()
    scope_region_field = "attempt__region"
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "监考事件"
        ordering = ["client_at", "server_at", "id"]
        constraints = [models.UniqueConstraint(fields=["attempt", "client_id"], name="proctorevent_unique_client_id")]
        indexes = [models.Index(fields=["attempt", "kind"], name="proctorevent_attempt_kind_idx")]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.kind}"


class Snapshot(models.Model):
    attempt = models.ForeignKey("exams.Attempt", verbose_name="考试记录", on_delete=models.PROTECT, related_name="+")
    client_id = models.CharField("客户端编号", max_length=64)
    # "periodic", "start", or the kind of the event that triggered it (whose client id follows)
    trigger = models.CharField("抓拍原因", max_length=24, blank=True)
    event_client_id = models.CharField("触发事件", max_length=64, blank=True)
    taken_at = models.DateTimeField("拍摄时间（客户端）", null=True, blank=True)
    received_at = models.DateTimeField("接收时间", db_index=True)
    # the path inside PROCTORING_SNAPSHOT_ROOT; empty once deleted after the retention
    file_name = models.CharField("文件", max_length=100, blank=True)
    size = models.PositiveIntegerField("大小（字节）")
    width = models.PositiveSmallIntegerField("宽")
    height = models.PositiveSmallIntegerField("高")
    sha256 = models.CharField("SHA-256", max_length=64)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    note = models.CharField("自动分析", max_length=16, choices=SnapshotNote.choices, default=SnapshotNote.PENDING,
                            db_index=True)
    faces = models.PositiveSmallIntegerField("人脸数", null=True, blank=True)
    brightness = models.FloatField("平均亮度", null=True, blank=True)
    contrast = models.FloatField("亮度标准差", null=True, blank=True)
    analysed_at = models.DateTimeField("分析时间", null=True, blank=True)
    purged_at = models.DateTimeField("删除时间", null=True, blank=True)

    objects = ScopedManager()
    scope_region_field = None  # central only (docs/decisions.md#snapshot-private)
    scope_candidate_field = None

    class Meta:
        verbose_name = verbose_name_plural = "考试抓拍照片"
        ordering = ["taken_at", "received_at", "id"]
        constraints = [models.UniqueConstraint(fields=["attempt", "client_id"], name="snapshot_unique_client_id")]

    def __str__(self) -> str:
        return f"{self.attempt_id} 抓拍 {self.pk}"
