from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.roles import Role
from core.scoping import ScopedQuerySet


class UserManager(BaseUserManager.from_queryset(ScopedQuerySet)):
    use_in_migrations = True

    def create_user(self, username, password=None, **extra):
        if not username:
            raise ValueError("用户名不能为空")
        user = self.model(username=username, **extra)
        if password:
            user.set_password(password)
            if user.password_changed_at is None:
                user.password_changed_at = timezone.now()
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password=None, **extra):
        extra.setdefault("role", Role.CENTRAL)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Every person who signs in: 部中心 staff (central), one administrator per 通信管理局
    (regional, tied to its region) and candidates (考生, created by import)."""

    username = models.CharField("用户名", max_length=64, unique=True)
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name="省份", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    full_name = models.CharField("姓名", max_length=50, blank=True)
    organization = models.CharField("单位/部门", max_length=100, blank=True)
    phone = models.CharField("手机号码", max_length=11, blank=True)
    is_active = models.BooleanField("有效", default=True)
    is_staff = models.BooleanField("可进入后台", default=False)
    must_change_password = models.BooleanField("需修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    date_joined = models.DateTimeField("创建时间", default=timezone.now)
    # A regional account ends when central replaces the person (变更) or disables it (停用); the
    # row is kept so that the history of a region's account holders stays visible (表1).
    deactivated_at = models.DateTimeField("停用时间", null=True, blank=True)
    deactivation_reason = models.CharField("停用原因", max_length=20, blank=True)

    objects = UserManager()
    scope_region_field = "region"
    scope_candidate_field = "pk"

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="regional_user_has_region",
                condition=~Q(role=Role.REGIONAL) | Q(region__isnull=False),
            ),
            # 表1: one active person per region (仅限1人).
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(role=Role.REGIONAL, is_active=True),
                name="one_active_regional_account_per_region",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def masked_phone(self) -> str:
        from core.masking import mask_phone

        return mask_phone(self.phone)

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.CENTRAL, Role.REGIONAL)

    @property
    def is_central(self) -> bool:
        return self.role == Role.CENTRAL

    @property
    def is_regional(self) -> bool:
        return self.role == Role.REGIONAL

    @property
    def is_candidate(self) -> bool:
        return self.role == Role.CANDIDATE


class PasswordHistory(models.Model):
    """密码历史: the hashes of an account's last passwords (never the passwords), so that a new
    password cannot repeat one of the last five (等保 2.0 三级 身份鉴别; docs/decisions.md#password-policy). Written by
    accounts.password_validation.PasswordHistoryValidator whenever a password is saved."""

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码哈希", max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "密码历史"
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_pwhist_user_idx")]

    def __str__(self):
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"
