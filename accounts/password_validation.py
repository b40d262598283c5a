"""Password policy (等保 2.0 三级 身份鉴别; docs/decisions.md#password-policy), the same for administrators
and candidates: at least 8 characters, at least 3 of the 4 character classes (lower case,
upper case, digits, symbols), not containing the username, not a common weak password, and none
of the last 5 passwords of the account. `policy_text()` is the rule as the pages state it."""

from pathlib import Path

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator as DjangoCommonPasswordValidator
from django.core.exceptions import ValidationError

HISTORY_COUNT = 5
PROJECT_LIST = Path(__file__).resolve().parent / "data" / "common_passwords.txt"


def policy_text() -> str:
    return (f"至少 8 位，包含大写字母、小写字母、数字、特殊字符中的至少三类，不能包含用户名，"
            f"不能是常见弱密码，不能与最近 {HISTORY_COUNT} 次使用过的密码相同")


class ComplexityValidator:
    def __init__(self, min_length: int = 8, min_classes: int = 3):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password, user=None):
        errors = []
        if len(password) < self.min_length:
            errors.append(f"密码长度至少 {self.min_length} 位")
        classes = sum(
            [
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )
        if classes < self.min_classes:
            errors.append("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类")
        username = getattr(user, "username", "") if user is not None else ""
        if username and len(username) >= 3 and username.lower() in password.lower():
            errors.append("密码不能包含用户名")
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return f"至少 {self.min_length} 位，包含大写字母、小写字母、数字、特殊字符中的至少三类，且不能包含用户名"


class CommonPasswordValidator:
    """Django's list of 20,000 common passwords plus ours (accounts/data/common_passwords.txt):
    weak passwords that meet the complexity rule, such as Admin@123 or P@ssw0rd."""

    _passwords: frozenset[str] | None = None

    @classmethod
    def passwords(cls) -> frozenset[str]:
        if cls._passwords is None:
            words = set(DjangoCommonPasswordValidator().passwords)
            words |= {line.strip().lower() for line in PROJECT_LIST.read_text(encoding="utf-8").splitlines()
                      if line.strip() and not line.startswith("#")}
            cls._passwords = frozenset(words)
        return cls._passwords

    def validate(self, password, user=None):
        if password.lower().strip() in self.passwords():
            raise ValidationError("密码过于常见，容易被猜中，请换一个", code="password_too_common")

    def get_help_text(self):
        return "不能是常见弱密码"


class PasswordHistoryValidator:
    """No reuse of the account's last `count` passwords (the current one included). Every
    password an account is given is recorded (hash only) by `password_changed`, which Django
    calls from User.save() after set_password, whatever the path: initial, reset, change."""

    def __init__(self, count: int = HISTORY_COUNT):
        self.count = count

    def _recent_hashes(self, user) -> list[str]:
        from .models import PasswordHistory

        if user is None or not getattr(user, "pk", None):
            return []
        return list(PasswordHistory.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")
                    .values_list("password", flat=True)[: self.count])

    def validate(self, password, user=None):
        if user is not None and user.password and user.has_usable_password() and check_password(password, user.password):
            # also covers accounts whose password predates the history table
            raise ValidationError("新密码不能与当前密码相同", code="password_reused")
        if any(check_password(password, encoded) for encoded in self._recent_hashes(user)):
            raise ValidationError(f"新密码不能与最近 {self.count} 次使用过的密码相同", code="password_reused")

    def password_changed(self, password, user=None):
        from .models import PasswordHistory

        if user is None or not user.pk or not user.has_usable_password():
            return
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        keep = PasswordHistory.objects.filter(user_id=user.pk).order_by("-created_at", "-pk").values_list(
            "pk", flat=True)[: self.count]
        PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=list(keep)).delete()

    def get_help_text(self):
        return f"不能与最近 {self.count} 次使用过的密码相同"
