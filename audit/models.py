from django.conf import settings
from django.db import models

from core.scoping import ScopedQuerySet

PERSON_LABEL = "people.Person"


class AuditLogQuerySet(ScopedQuerySet):
    """Central sees every row; a regional administrator the rows of its region, plus every change
    to a person (people.Person, shared by regions) who holds a registration in its region,
    whichever region's action wrote it (docs/decisions.md#registration-contact). The candidates app, which knows the
    registrations, declares that second path to core.scoping (candidates/scoping.py)."""

    def delete(self):  # the trail is kept (网络安全法 Art. 21: at least 6 months)
        raise PermissionError("审计日志不可删除")


class AuditLog(models.Model):
    """审计日志: who, when, from which IP, what action on which object, before and after.
    Rows are written by audit.services.audit_record and never changed or deleted."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True)
    actor_role = models.CharField("操作人角色", max_length=16, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=200, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    message = models.CharField("说明", max_length=500, blank=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True, db_index=True)
    object_id = models.CharField("对象 ID", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="涉及地区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.CharField("原因", max_length=500, blank=True)

    objects = AuditLogQuerySet.as_manager()
    scope_region_field = "region"
    scope_candidate_field = None

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "审计日志"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志不可删除")

    @property
    def action_label(self) -> str:
        from .actions import action_label

        return action_label(self.action)

    @property
    def role_label(self) -> str:
        from .labels import role_label

        return role_label(self.actor_role)

    @property
    def object_label(self) -> str:
        from .labels import object_label

        return object_label(self.object_type)

    def before_text(self) -> str:
        from .labels import readable

        return readable(self.before)

    def after_text(self) -> str:
        from .labels import readable

        return readable(self.after)
