"""Writes on user accounts. Every change is audited (issue 3)."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record

from .models import User


@transaction.atomic
def user_change_password(*, user: User, new_password: str, acting_user: User) -> User:
    """Set a new password after the policy check; clears the forced-change flag."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(actor=acting_user, action="account.password_change", obj=user, message="修改密码")
    return user
