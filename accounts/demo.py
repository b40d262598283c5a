"""Demo accounts: one central account and regional administrators for three regions."""

import os

from django.utils import timezone

from core.roles import Role
from regions.models import Region

from .models import User

DEMO_PASSWORD = "Demo@2026pass"

DEMO_USERS = [
    # username, role, region code, full name, organization, phone
    ("center", Role.CENTRAL, None, "部中心管理员", "工业和信息化部通信工程定额质监中心", "13800000000"),
    ("bj_admin", Role.REGIONAL, "11", "北京管局管理员", "北京市通信管理局 安全处", "13800000011"),
    ("gd_admin", Role.REGIONAL, "44", "广东管局管理员", "广东省通信管理局 安全处", "13800000044"),
    ("sh_admin", Role.REGIONAL, "31", "上海管局管理员", "上海市通信管理局 安全处", "13800000031"),
]


def load(out) -> list[str]:
    lines = []
    for username, role, region_code, full_name, org, phone in DEMO_USERS:
        region = Region.objects.get(code=region_code) if region_code else None
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "region": region, "full_name": full_name, "organization": org,
                      "phone": phone, "password_changed_at": timezone.now()},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        label = "部中心" if role == Role.CENTRAL else f"管局（{region.name}）"
        lines.append(f"{label:<14} 用户名 {username:<10} 密码 {DEMO_PASSWORD}")
    lines.append("登录时的短信验证码：演示环境不真正发短信，请在登录页的“短信发件箱”链接")
    port = os.environ.get("PORT", "8000")
    lines.append(f"  （http://127.0.0.1:{port}/sms/outbox/）或用 `manage.py sms_outbox --last 5` 查看")
    return lines
