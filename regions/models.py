from django.db import models

from core.scoping import ScopedManager


class Region(models.Model):
    """A provincial-level division (省份), keyed by its GB/T 2260 two-digit code, plus
    新疆生产建设兵团 under code 66 (it has no GB/T 2260 province code; 66 is the code national
    registries such as the student-status system use for it). Each has one 通信管理局."""

    code = models.CharField("代码", max_length=2, unique=True)
    name = models.CharField("省份", max_length=20, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    objects = ScopedManager()
    scope_region_field = "pk"
    scope_candidate_field = None

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = verbose_name_plural = "地区"

    def __str__(self) -> str:
        return self.name

    @property
    def administration_name(self) -> str:
        """The 通信管理局 of this region, e.g. 北京市通信管理局."""
        return f"{self.name}通信管理局"
