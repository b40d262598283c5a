from django.conf import settings
from django.db import models

from core.scoping import ScopedManager


class IdCheck(models.TextChoices):
    """How a 证件类型's number is checked (people.validation implements each)."""

    RESIDENT_ID = "resident_id", "居民身份证（GB 11643，校验位 MOD 11-2）"
    FOREIGN_PERMANENT = "foreign_permanent", "外国人永久居留身份证（新版 9 开头 18 位或旧版 15 位）"
    HMT_RESIDENCE = "hmt_residence", "港澳台居民居住证（810000/820000/830000 开头 18 位）"
    HK_MACAU_PERMIT = "hk_macau_permit", "港澳居民来往内地通行证（H/M + 8 位数字 [+ 2 位]）"
    TAIWAN_PERMIT = "taiwan_permit", "台湾居民来往大陆通行证（8 位数字 [+ 2 位]）"
    PASSPORT = "passport", "护照（5–17 位字母或数字）"
    FREE = "free", "不校验格式（1–32 位字母或数字）"


class IdType(models.Model):
    """证件类型. The guide fixes only "二代身份证 = 1"; the rest of the table is data central can
    extend (SPEC.md §3). The code is what candidates' Excel files carry."""

    code = models.PositiveSmallIntegerField("代码", unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    check_kind = models.CharField("校验方式", max_length=32, choices=IdCheck.choices)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "证件类型"

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A person (考生) is one candidate account, keyed by 证件类型 + 证件号码, across plans and
    regions (SPEC.md §3). A region sees a person only through its own plans' registrations.
    Contact details (手机号码, 企业名称, 统一社会信用代码) are not here: each registration holds
    the ones its region imported (docs/decisions.md#registration-contact)."""

    id_type = models.ForeignKey(IdType, verbose_name="证件类型", on_delete=models.PROTECT, related_name="+")
    id_number = models.CharField("证件号码", max_length=32)
    name = models.CharField("姓名", max_length=50)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="考生账号", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="person",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope_region_field = "registrations__plan__region"
    scope_region_many = True
    scope_candidate_field = "user"

    class Meta:
        verbose_name = verbose_name_plural = "考生"
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number"], name="person_unique_id_document"),
        ]
        indexes = [
            models.Index(fields=["id_number"], name="person_id_number_idx"),
            models.Index(fields=["name"], name="person_name_idx"),
        ]

    def __str__(self) -> str:
        from core.masking import mask_id_number

        return f"{self.name}（{mask_id_number(self.id_number)}）"
