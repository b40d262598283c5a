"""Open a 部中心 account from the server's shell: how the first central account comes to exist
on a new installation (central opens regional accounts on the 管局账号管理 page). The initial
password is printed once; the first login needs the SMS code sent to --phone and forces a change."""

from django.core.management.base import BaseCommand, CommandError

from accounts.services import central_account_create
from core.errors import ApplicationError
from core.masking import mask_phone


class Command(BaseCommand):
    help = "开通部中心管理员账号（初始密码只显示一次，首次登录须修改）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名（字母开头，3–32 位字母、数字或下划线）")
        parser.add_argument("--name", required=True, help="姓名")
        parser.add_argument("--organization", required=True, help="单位/部门")
        parser.add_argument("--phone", required=True, help="手机号码（登录短信验证码发往此号码）")

    def handle(self, *args, username: str, name: str, organization: str, phone: str, **options):
        try:
            user, password = central_account_create(username=username, full_name=name, organization=organization,
                                                     phone=phone, actor_label="运维命令 create_central_account")
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已开通部中心账号 {user.username}（手机 {mask_phone(user.phone)}）")
        self.stdout.write(f"初始密码（只显示这一次）：{password}")
        self.stdout.write("首次登录须输入发往该手机的短信验证码，并修改密码。")
