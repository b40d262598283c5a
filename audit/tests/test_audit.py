import pytest
from django.urls import reverse

from audit.actions import Action
from audit.models import AuditLog
from audit.services import audit_record, model_snapshot

pytestmark = pytest.mark.django_db


def test_record_keeps_who_what_ip_and_before_after(client, world):
    from core.middleware import _current

    token = _current.set({"ip": "10.1.2.3", "user_agent": "pytest"})
    try:
        entry = audit_record(actor=world.admin_a, action=Action.PLAN_UPDATE, region=world.region_a,
                             before={"exam_date": "2026-01-01"}, after={"exam_date": "2026-01-02"}, reason="改期")
    finally:
        _current.reset(token)
    entry.refresh_from_db()
    assert entry.actor == world.admin_a and entry.actor_role == "regional"
    assert entry.ip == "10.1.2.3"
    assert entry.before == {"exam_date": "2026-01-01"} and entry.after == {"exam_date": "2026-01-02"}
    assert entry.reason == "改期"


def test_request_ip_is_recorded_through_the_middleware(client, world):
    client.force_login(world.admin_a)
    client.post(reverse("accounts:logout"), REMOTE_ADDR="192.0.2.7")
    entry = AuditLog.objects.get(action=Action.ACCOUNT_LOGOUT)
    assert entry.ip == "192.0.2.7"


def test_personal_data_is_masked_in_the_log(world):
    entry = audit_record(actor=world.central, action=Action.REGISTRATION_UPDATE,
                         before={"id_number": "11010519491231002X", "phone": "13812345678"},
                         message="修改 11010519491231002X")
    assert entry.before == {"id_number": "110105********002X", "phone": "138****5678"}
    assert "11010519491231002X" not in entry.message


def test_log_rows_cannot_be_changed_or_deleted(world):
    entry = audit_record(actor=world.central, action=Action.PLAN_UPDATE)
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()


def test_snapshot_is_json_ready(world):
    data = model_snapshot(world.admin_a, ["username", "region", "date_joined"])
    assert data["region"] == world.region_a.pk and isinstance(data["date_joined"], str)


def test_viewer_filters_by_actor_action_region_and_date(client, world):
    audit_record(actor=world.admin_a, action=Action.PLAN_CREATE, region=world.region_a, message="甲")
    audit_record(actor=world.admin_b, action=Action.BLACKLIST_CREATE, region=world.region_b, message="乙")
    client.force_login(world.central)
    rows = lambda **q: [e.message for e in client.get(reverse("audit:list"), q).context["page_obj"]]  # noqa: E731
    assert rows(action="plan") == ["甲"]
    assert rows(actor="t_admin_gd") == ["乙"]
    assert rows(region=world.region_a.pk) == ["甲"]
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    assert set(rows(date_from=today, date_to=today)) >= {"甲", "乙"}
    assert rows(date_from="2000-01-01", date_to="2000-01-02") == []


def test_viewer_reports_a_reversed_date_range(client, world):
    audit_record(actor=world.admin_a, action=Action.PLAN_CREATE, region=world.region_a, message="甲")
    client.force_login(world.central)
    response = client.get(reverse("audit:list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "截止日期不能早于起始日期" in response.content.decode()
    assert len(response.context["page_obj"]) == 0  # an invalid filter never widens to the whole log


def test_viewer_is_read_only(client, world):
    client.force_login(world.central)
    assert client.post(reverse("audit:list")).status_code == 200  # a POST changes nothing
    assert AuditLog.objects.count() == 0


def test_viewer_speaks_chinese_not_codes(client, world):
    entry = audit_record(actor=world.admin_a, action=Action.PLAN_CREATE, obj=world.admin_b, region=world.region_a,
                         before={"is_active": True, "role": "regional"}, after={"full_name": "王五"}, message="甲")
    client.force_login(world.central)
    html = client.get(reverse("audit:list")).content.decode()
    assert "添加考核计划" in html and ">管局<" in html
    assert client.get(reverse("audit:list"), {"action": "plan.create"}).context["page_obj"][0].message == "甲"
    html = client.get(reverse("audit:detail", args=[entry.pk])).content.decode()
    assert "账号 #" in html and "&quot;full_name&quot;: &quot;王五&quot;" in html and "{&#x27;" not in html and "True}" not in html


def test_the_action_filter_offers_chinese_labels_not_codes(client, world):
    """docs/decisions.md#audit-vocabulary: the 动作 choices read "审核通过", not "审核通过（plan.approve）"."""
    import re

    for action in (Action.PLAN_APPROVE, Action.PLAN_CREATE, Action.ACCOUNT_LOGIN):
        audit_record(actor=world.central, action=action, message=action.value)
    client.force_login(world.central)
    html = client.get(reverse("audit:list")).content.decode()
    select = re.search(r'<select name="action".*?</select>', html, re.S).group(0)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert "审核通过" in options and "添加考核计划" in options and "登录" in options
    assert not [o for o in options if re.search(r"[a-z_]+\.[a-z_]+", o)], options
    assert client.get(reverse("audit:list"), {"action": "plan.approve"}).context["page_obj"][0].message == "plan.approve"
