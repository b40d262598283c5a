"""docs/decisions.md#accounts: a regional administrator logs in through the real page (captcha with the test
answer, which test settings allow through CAPTCHA_TEST_MODE), reading the SMS code from the
outbox; a wrong code, a lockout and a forced first-login password change, each driven once."""

import re

import pytest

from testing.world import TEST_PASSWORD

from .conftest import login_session, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    """`make run`'s conveniences: DEBUG with the outbox page on, so the login page links to the
    outbox and the outbox is readable before signing in."""
    settings.DEBUG = True
    settings.SMS_OUTBOX_PAGE_ENABLED = True


def fill_credentials(page, username, password):
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_label("动态码").fill("PASSED")


def ask_for_code(page):
    """Click 获取验证码 and wait until htmx has swapped the answer in. The status area is emptied
    first: otherwise the previous attempt's text satisfies the caller's wait at once, the caller
    fills the form, and the answer's out-of-band captcha row then replaces the filled 动态码 with
    an empty one (htmx swaps out-of-band content before the target, so once the status shows
    text the captcha row is the new one)."""
    page.get_by_test_id("code-status").evaluate("el => { el.innerHTML = '' }")
    with page.expect_response(lambda r: r.url.endswith("/accounts/login/") and r.request.method == "POST"):
        page.get_by_role("button", name="获取验证码").click()
    page.wait_for_function("() => document.getElementById('code-status').textContent.trim() !== ''")


def captcha_loaded(page):
    """The captcha image is replaced after every code request; wait until it has loaded."""
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-captcha-image]'); return i && i.complete && i.naturalWidth > 0; }")


def code_from_outbox(page) -> str:
    with page.context.expect_page() as popup:
        page.get_by_role("link", name="短信发件箱").click()
    outbox = popup.value
    outbox.wait_for_load_state()
    text = outbox.get_by_test_id("sms-text").first.inner_text()
    return outbox, re.search(r"\d{6}", text).group(0)


def test_regional_admin_logs_in_with_the_sms_code(page, world, demo):
    page.goto(page.base + "/")
    page.get_by_role("link", name="管理员登录").first.click()
    captcha_loaded(page)  # the image captcha (动态码) is there and loads
    fill_credentials(page, world.admin_a.username, TEST_PASSWORD)
    shot(page, "login_01_filled")
    ask_for_code(page)
    status = page.get_by_test_id("code-status")
    status.get_by_text("验证码已发送至 139****0011").wait_for()
    assert page.get_by_role("button", name=re.compile("秒后重新获取")).is_disabled()
    captcha_loaded(page)
    shot(page, "login_02_code_sent")
    outbox, code = code_from_outbox(page)
    shot(outbox, "login_03_outbox")
    outbox.close()
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(page.base + "/")
    assert "北京市" in page.get_by_test_id("current-user").inner_text()
    assert page.get_by_role("navigation", name="导航菜单").get_by_text("考核计划管理").count() == 1
    shot(page, "login_04_signed_in")


def test_the_captcha_is_large_refreshes_in_place_and_stale_errors_go(page, world, demo):
    """docs/decisions.md#captcha: a large captcha, a refresh button that keeps the typed fields, and the
    last answer's "动态码不正确" gone as soon as the next request starts."""
    page.goto(page.base + "/accounts/login/")
    captcha_loaded(page)
    image = page.get_by_test_id("captcha-image")
    box = image.bounding_box()
    assert box["width"] >= 140 and box["height"] >= 48
    image.screenshot(path=str(shot(page, "login_captcha_page").with_name("login_captcha_image.png")))
    page.get_by_label("用户名").fill(world.admin_a.username)
    page.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("动态码").fill("WRONG")
    with page.expect_response(lambda r: r.url.endswith("/accounts/login/") and r.request.method == "POST"):
        page.get_by_role("button", name="获取验证码").click()
    captcha_error = page.get_by_test_id("error-captcha")
    assert "动态码不正确" in captcha_error.inner_text()
    assert page.get_by_label("密码", exact=True).input_value() == TEST_PASSWORD  # kept after a wrong captcha
    captcha_loaded(page)
    shot(page, "login_captcha_wrong")

    before = image.get_attribute("src")
    page.get_by_test_id("captcha-refresh").click()
    page.wait_for_function("(old) => document.querySelector('[data-captcha-image]').src !== old", arg=before)
    captcha_loaded(page)
    assert page.get_by_label("用户名").input_value() == world.admin_a.username
    assert page.get_by_label("密码", exact=True).input_value() == TEST_PASSWORD

    # hold the next answer back: while it is pending the stale error is already gone
    held = []
    page.route("**/accounts/login/", lambda route: held.append(route) if route.request.method == "POST"
               else route.continue_())
    page.get_by_label("动态码").fill("PASSED")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_function("() => !document.querySelector('[data-testid=error-captcha]')")
    assert page.get_by_test_id("code-status").inner_text().strip() == ""
    assert held, "the request is still pending"
    with page.expect_response(lambda r: r.url.endswith("/accounts/login/") and r.request.method == "POST"):
        held[0].continue_()
    page.unroute("**/accounts/login/")
    page.get_by_test_id("code-status").get_by_text("验证码已发送").wait_for()
    shot(page, "login_captcha_code_sent")


def test_a_wrong_code_is_refused_then_the_right_one_works(page, world, demo):
    page.goto(page.base + "/accounts/login/")
    fill_credentials(page, world.admin_a.username, TEST_PASSWORD)
    ask_for_code(page)
    page.get_by_test_id("code-status").get_by_text("验证码已发送").wait_for()
    outbox, code = code_from_outbox(page)
    outbox.close()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    page.get_by_label("短信验证码").fill(wrong)
    page.get_by_role("button", name="登录", exact=True).click()
    error = page.get_by_test_id("error-sms_code")
    assert "短信验证码不正确，还可尝试 4 次" in error.inner_text()
    assert page.get_by_label("用户名").input_value() == world.admin_a.username
    shot(page, "login_05_wrong_code")
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(page.base + "/")
    assert page.get_by_test_id("current-user").is_visible()


def test_five_wrong_passwords_lock_and_central_unlocks(page, world, demo, browser, live_server):
    page.goto(page.base + "/accounts/login/")
    status = page.get_by_test_id("code-status")
    for _ in range(5):
        fill_credentials(page, world.admin_a.username, "Wrong#Pass2026")
        ask_for_code(page)
        status.get_by_text("用户名或密码错误").wait_for()
        page.get_by_label("动态码").wait_for()
    fill_credentials(page, world.admin_a.username, TEST_PASSWORD)  # even the right password now
    ask_for_code(page)
    status.get_by_text("账号已锁定").wait_for()
    assert "30 分钟" in status.inner_text()
    captcha_loaded(page)
    shot(page, "login_06_locked")

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    central = context.new_page()
    central.base = page.base
    login_session(central, world.central)
    central.goto(central.base + "/accounts/regional/")
    row = central.locator("tr[data-region='11']")
    assert "已锁定" in row.inner_text()
    shot(central, "login_07_central_sees_lock")
    row.get_by_role("button", name="解锁").click()
    central.get_by_text(f"已解锁 {world.admin_a.username}").wait_for()
    context.close()

    fill_credentials(page, world.admin_a.username, TEST_PASSWORD)
    ask_for_code(page)
    status.get_by_text("验证码已发送").wait_for()


def test_central_opens_an_account_and_the_first_login_forces_a_password_change(page, world, demo, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    central = context.new_page()
    central.base = page.base
    login_session(central, world.central)
    central.goto(central.base + "/accounts/regional/")
    shot(central, "login_08_accounts_page")
    central.locator("tr[data-region='31']").get_by_role("link", name="开通").click()
    central.get_by_label("姓名").fill("王五")
    central.get_by_label("单位/部门").fill("上海市通信管理局 安全处")
    central.get_by_label("手机号码").fill("1370000003")  # one digit short
    central.get_by_role("button", name="确定").click()
    assert "11 位" in central.get_by_test_id("error-phone").inner_text()
    shot(central, "login_09_bad_phone")
    central.get_by_label("手机号码").fill("13700000031")
    central.get_by_role("button", name="确定").click()
    username = central.get_by_test_id("issued-username").inner_text()
    password = central.get_by_test_id("issued-password").inner_text()
    shot(central, "login_10_initial_password")
    context.close()

    page.goto(page.base + "/accounts/login/")
    fill_credentials(page, username, password)
    ask_for_code(page)
    page.get_by_test_id("code-status").get_by_text("验证码已发送至 137****0031").wait_for()
    outbox, code = code_from_outbox(page)
    outbox.close()
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(page.base + "/accounts/password/")
    assert "首次登录" in page.get_by_test_id("change-reason").inner_text()
    shot(page, "login_11_forced_change")
    page.get_by_label("当前密码").fill(password)
    page.locator("#id_new_password1").fill("Shanghai#2026new")
    page.get_by_label("确认新密码").fill("Shanghai#2026new")
    page.get_by_role("button", name="确认修改").click()
    page.wait_for_url(page.base + "/")
    assert page.get_by_text("密码已修改").is_visible()
    assert "上海市" in page.get_by_test_id("current-user").inner_text()
    shot(page, "login_12_changed")


def test_candidate_sets_a_password_the_first_time_and_logs_in(page, world, demo):
    from candidates.tests.factories import RegistrationFactory
    from people.tests.factories import PersonFactory

    person = RegistrationFactory(phone="13512345678", person=PersonFactory()).person
    page.goto(page.base + "/")
    page.get_by_role("link", name="考生登录").first.click()
    shot(page, "login_13_candidate_login")
    page.get_by_role("link", name="首次登录 / 忘记密码").click()
    page.get_by_label("证件号码").fill(person.id_number)
    page.get_by_label("动态码").fill("PASSED")
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_text("验证码已发送至导入时登记的手机号码").wait_for()
    outbox, code = code_from_outbox(page)
    outbox.close()
    page.get_by_label("短信验证码").fill(code)
    page.locator("#id_new_password1").fill("weak")
    page.get_by_label("确认新密码").fill("weak")
    page.get_by_role("button", name="设置密码并登录").click()
    page.get_by_test_id("error-new_password1").wait_for()  # the answer page, not the one still shown
    assert page.get_by_test_id("error-new_password1").is_visible()
    shot(page, "login_14_candidate_weak_password")
    page.get_by_label("短信验证码").fill(code)
    page.locator("#id_new_password1").fill("Kaosheng#2026")
    page.get_by_label("确认新密码").fill("Kaosheng#2026")
    page.get_by_role("button", name="设置密码并登录").click()
    page.wait_for_url(page.base + "/candidates/mine/")  # a candidate's home is 我的考核
    assert person.name in page.get_by_test_id("current-user").inner_text()
    shot(page, "login_15_candidate_signed_in")


def test_a_wrong_captcha_keeps_the_candidate_s_password(page, world, demo):
    """docs/decisions.md#captcha: 考生登录 keeps the typed password after a wrong 动态码, as 管理员登录 does."""
    from candidates.tests.factories import RegistrationFactory
    from people.tests.factories import PersonFactory

    person = RegistrationFactory(phone="13512345678", person=PersonFactory()).person
    page.goto(page.base + "/")
    page.get_by_role("link", name="考生登录").first.click()
    page.get_by_label("证件号码").fill(person.id_number)
    page.locator("#id_password").fill("Kaosheng#2026")
    page.get_by_label("动态码").fill("WRONG")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_test_id("error-captcha").wait_for()
    assert "动态码不正确" in page.get_by_test_id("error-captcha").inner_text()
    assert page.get_by_label("证件号码").input_value() == person.id_number
    assert page.locator("#id_password").input_value() == "Kaosheng#2026"
    captcha_loaded(page)
    shot(page, "login_16_candidate_wrong_captcha")
