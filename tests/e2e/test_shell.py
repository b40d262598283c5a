import re

import pytest

from audit.actions import Action
from testing.world import TEST_PASSWORD

from .conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_login_and_the_regional_menu(page, world):
    from sms.models import SmsMessage

    page.goto(page.base + "/")
    assert "三类人员" in page.title()
    page.get_by_role("link", name="管理员登录").first.click()
    page.get_by_label("用户名").fill(world.admin_a.username)
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("动态码").fill("PASSED")  # CAPTCHA_TEST_MODE in test settings
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_test_id("code-status").get_by_text("验证码已发送").wait_for()
    code = re.search(r"\d{6}", SmsMessage.objects.filter(phone=world.admin_a.phone).latest("id").text).group(0)
    page.get_by_label("短信验证码").fill(code)
    shot(page, "shell_01_login")
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(page.base + "/")
    menu = page.get_by_role("navigation", name="导航菜单")
    for label in ["考核计划管理", "学员考核信息管理", "成绩管理", "黑名单管理"]:
        assert menu.get_by_text(label).count() == 1
    assert menu.get_by_text("审计日志").count() == 0
    assert "北京市" in page.get_by_test_id("current-user").inner_text()
    # Chinese actually renders: the brand's glyphs are wider than the fallback boxes' would be.
    shot(page, "shell_02_regional_menu")


def test_central_sees_the_audit_log(page, world):
    from audit.services import audit_record

    from .conftest import login_session

    audit_record(actor=world.admin_a, action=Action.ACCOUNT_LOGIN, obj=world.admin_a, region=world.region_a,
                 after={"full_name": world.admin_a.full_name}, message="管理员登录")
    login_session(page, world.central)
    page.goto(page.base + "/audit/")
    assert page.get_by_role("heading", name="审计日志").is_visible()
    # actions, roles and objects in Chinese; the filter offers actions by name
    table = page.get_by_test_id("audit-table").inner_text()
    assert "登录" in table and "管局" in table and "account.login" not in table
    shot(page, "shell_03_audit_log")
    page.get_by_test_id("audit-table").get_by_role("link", name="详情").first.click()
    page.get_by_role("heading", name="审计日志详情").wait_for()
    shot(page, "shell_04_audit_detail")
    page.goto(page.base + "/audit/")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(page.base + "/")
    assert page.get_by_role("link", name="管理员登录").first.is_visible()


def test_the_console_guard_sees_a_csp_violation(page, world):
    """The guard every browser test relies on (docs/decisions.md#e2e-console): an inline style the policy refuses
    is reported, so a page that writes one fails its test."""
    from .conftest import console_problems

    page.goto(page.base + "/accounts/login/")
    assert console_problems() == []
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)
    problems = console_problems()
    assert problems and all("style" in p for p in problems), problems
    page.allowed_console = [r"CSP violation: style-src", r"inline style violates"]
