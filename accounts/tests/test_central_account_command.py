"""manage.py create_central_account: how the first 部中心 account of an installation comes to exist."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from audit.actions import Action
from audit.models import AuditLog
from core.roles import Role

from .conftest import last_code, request_code, submit_code

pytestmark = pytest.mark.django_db


def _create(capsys, username="zx_admin", phone="13700000001"):
    call_command("create_central_account", username, name="王五", organization="部中心 综合处", phone=phone)
    out = capsys.readouterr().out
    return out, out.split("初始密码（只显示这一次）：")[1].split()[0]


def test_the_account_logs_in_with_the_sms_code_and_must_change_the_password(client, capsys, clock):
    out, password = _create(capsys)
    user = User.objects.get(username="zx_admin")
    assert user.role == Role.CENTRAL and user.region is None and user.must_change_password
    assert user.check_password(password) and password not in user.password
    assert "137****0001" in out and "13700000001" not in out
    request_code(client, "zx_admin", password=password)
    response = submit_code(client, "zx_admin", last_code("13700000001"), password=password)
    assert response.status_code == 302
    assert client.get("/")["Location"].endswith("/accounts/password/")
    entry = AuditLog.objects.get(action=Action.ACCOUNT_OPEN, object_id=str(user.pk))
    assert entry.actor_name == "运维命令 create_central_account" and password not in str(entry.after)


@pytest.mark.parametrize("kwargs, message", [
    ({"username": "1abc"}, "用户名须以字母开头"),
    ({"phone": "12345"}, "手机号"),
    ({"name": ""}, "请填写姓名"),
])
def test_bad_input_is_refused_and_nothing_saved(kwargs, message):
    args = {"username": "zx_admin", "name": "王五", "organization": "部中心", "phone": "13700000001", **kwargs}
    with pytest.raises(CommandError, match=message):
        call_command("create_central_account", args.pop("username"), **args)
    assert not User.objects.filter(role=Role.CENTRAL).exists()


def test_a_taken_username_is_refused(world, capsys):
    with pytest.raises(CommandError, match=f"用户名 {world.central.username.upper()} 已被使用"):
        call_command("create_central_account", world.central.username.upper(), name="王五", organization="部中心",
                     phone="13700000001")
