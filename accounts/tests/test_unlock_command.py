"""manage.py unlock_login: the way back in when the only central account is locked."""

import pytest
from django.core.management import CommandError, call_command

from accounts import security
from audit.actions import Action
from audit.models import AuditLog

pytestmark = pytest.mark.django_db


def test_the_command_lifts_a_central_lock_and_logs_it(world, capsys):
    subject = security.admin_subject(world.central.username)
    for _ in range(security.FAIL_LIMIT):
        security.failure_register(subject)
    assert security.lock_status(subject) is not None
    call_command("unlock_login", world.central.username, reason="值班电话确认本人")
    assert security.lock_status(subject) is None
    assert f"已解锁 {world.central.username}" in capsys.readouterr().out
    entry = AuditLog.objects.get(action=Action.ACCOUNT_UNLOCK)
    assert entry.actor_name == "运维命令 unlock_login" and entry.reason == "值班电话确认本人"


def test_unknown_and_candidate_usernames_are_refused(world):
    with pytest.raises(CommandError, match="没有用户名为 nobody 的管理员账号"):
        call_command("unlock_login", "nobody", reason="x")
    with pytest.raises(CommandError):
        call_command("unlock_login", world.candidate.username, reason="x")
    with pytest.raises(CommandError, match="请填写解锁原因"):
        call_command("unlock_login", world.central.username, reason="  ")
    assert not AuditLog.objects.filter(action=Action.ACCOUNT_UNLOCK).exists()
