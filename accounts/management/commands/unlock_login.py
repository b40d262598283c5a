"""Lift an administrator's login lock from the server's shell: the way back in when the only
central account is locked (central unlocks regional accounts on the 管局账号管理 page and
administrators unlock candidates on the candidate page)."""

from django.core.management.base import BaseCommand, CommandError

from accounts import security
from accounts.models import User
from audit.actions import Action
from audit.services import audit_record
from core.roles import Role


class Command(BaseCommand):
    help = "解除管理员账号的登录锁定（连续 5 次登录失败后锁定 30 分钟）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="管理员用户名（部中心或管局账号）")
        parser.add_argument("--reason", required=True, help="解锁原因（记入审计日志）")

    def handle(self, *args, username: str, reason: str, **options):
        user = User.objects.filter(username=username, role__in=[Role.CENTRAL, Role.REGIONAL]).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的管理员账号")
        if not reason.strip():
            raise CommandError("请填写解锁原因")
        was_locked = security.unlock(security.admin_subject(user.username))
        audit_record(actor="运维命令 unlock_login", action=Action.ACCOUNT_UNLOCK, obj=user, reason=reason.strip(),
                     message=f"解锁 {user.username}" + ("" if was_locked else "（未处于锁定状态）"))
        self.stdout.write(f"已解锁 {user.username}" if was_locked else f"{user.username} 未处于锁定状态（已清除失败计数）")
