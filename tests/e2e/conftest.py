"""Browser tests: pytest-django's live server driven by Playwright for Python in Debian's
/usr/bin/chromium (never a downloaded browser). A screenshot of every test's last page is saved
under artifacts/screenshots/; tests may also save named steps with `shot(page, "name")`.

Every browser context a test opens (the `page` fixture's and any `browser.new_context()`) is
watched: a console error, an uncaught script error or a Content-Security-Policy violation fails
the test (docs/decisions.md#e2e-console). A test that provokes one on purpose lists it in `page.allowed_console`
(regular expressions)."""

import os
import re
import threading
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set
# up data are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",
]


# What the browsers of the running test reported: (where, text). Reset by the `page` fixture.
CONSOLE_PROBLEMS: list[tuple[str, str]] = []

# A page script cannot see a CSP report in the console API, so every document also listens for
# the DOM event and logs it as a console error (init scripts are exempt from the page's CSP).
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')
                + ' at ' + (e.sourceFile || document.location.href) + ':' + e.lineNumber);
});
"""


def watch_console(context) -> None:
    """Record console errors, uncaught exceptions and CSP violations of every page of `context`."""
    context.add_init_script(CSP_LISTENER)

    def on_console(msg):
        if msg.type == "error":
            CONSOLE_PROBLEMS.append((msg.page.url if msg.page else "?", msg.text))

    def on_weberror(err):
        CONSOLE_PROBLEMS.append((err.page.url if err.page else "?", f"uncaught: {err.error}"))

    context.on("console", on_console)
    context.on("weberror", on_weberror)


# On SQLite the live server's request threads share the test's in-memory connection (Django
# passes it over); two statements at once on it fail with "database table is locked", where a
# file database or PostgreSQL would wait. An exam page talks on several channels at once (saves,
# clock, proctoring events and snapshots), so on SQLite the live server answers one request at a
# time, and a test's own reads while a page works can take the same lock (`serial_read`).
SERIAL = threading.Lock()


def _in_memory_sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite" and connection.is_in_memory_db()


@pytest.fixture(autouse=True)
def _serial_live_server(request):
    if "live_server" not in request.fixturenames or not _in_memory_sqlite():
        yield
        return
    httpd = request.getfixturevalue("live_server").thread.httpd
    app = httpd.get_app()
    waiting = threading.Condition()
    inflight = [0]

    def serial_app(environ, start_response):
        with waiting:
            inflight[0] += 1
        try:
            with SERIAL:
                result = app(environ, start_response)
                try:
                    body = list(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()
            return body
        finally:
            with waiting:
                inflight[0] -= 1
                waiting.notify_all()

    httpd.set_app(serial_app)
    yield
    # requests a closing page left queued are answered while the test's database is still open
    # (answered after it, they would use the shared connection of no test)
    with waiting:
        waiting.wait_for(lambda: inflight[0] == 0, timeout=20)
    httpd.set_app(app)


# Every context a test opens on the session's browser, so that one it leaves open (a monitor
# page polling, an exam page syncing its clock) is closed when the test ends: left open, it goes
# on requesting the shared live server during the next test — its errors reported there, its
# requests on that test's database connection.
OPEN_CONTEXTS: list = []


@pytest.fixture(autouse=True)
def _close_left_contexts():
    yield
    while OPEN_CONTEXTS:
        context = OPEN_CONTEXTS.pop()
        try:
            context.close()
        except Exception:  # closed by the test already
            pass


def serial_read(read):
    """Run one database read of the test while a page may be writing (see SERIAL)."""
    with SERIAL:
        return read()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash .ci/ensure-browser` (apt: chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        plain_new_context = b.new_context

        def new_context(*args, **kwargs):
            context = plain_new_context(*args, **kwargs)
            watch_console(context)
            OPEN_CONTEXTS.append(context)
            return context

        b.new_context = new_context  # tests opening a second browser are watched too
        yield b
        b.close()


def console_problems(allowed=()) -> list[str]:
    patterns = [re.compile(p) for p in allowed]
    return [f"{url}: {text}" for url, text in CONSOLE_PROBLEMS if not any(p.search(text) for p in patterns)]


@pytest.fixture
def page(browser, request, live_server):
    CONSOLE_PROBLEMS.clear()
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
    )
    context.set_default_timeout(15_000)
    pg = context.new_page()
    pg.base = live_server.url
    pg.allowed_console = []
    yield pg
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
    try:
        pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
    problems = console_problems(pg.allowed_console)
    CONSOLE_PROBLEMS.clear()
    if problems:
        pytest.fail("the browser reported errors:\n" + "\n".join(problems), pytrace=False)


def shot(page, name: str) -> Path:
    """Save a named screenshot of the current page (a step of a longer scenario)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login_session(page, user) -> None:
    """Sign `user` in by giving the browser a real session cookie (for tests of other pages;
    the login page itself is driven through its form in accounts' browser tests)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base}])


def decide_violation(page, category, *, source_number: str, note: str) -> None:
    """On the violation check's candidate page: 违规 of `category`, citing the similar candidate
    `source_number` as evidence, with a note; waits for the decision and the voided score."""
    from playwright.sync_api import expect

    page.get_by_label("违规", exact=True).check()
    page.get_by_test_id("decision-category").select_option(str(category.pk))
    page.get_by_label(f"与考生 {source_number}", exact=False).check()
    page.get_by_test_id("decision-note").fill(note)
    page.get_by_test_id("decision-submit").click()
    expect(page.get_by_test_id("current-decision")).to_contain_text(f"违规（{category.name}）")
    expect(page.get_by_test_id("candidate-score")).to_contain_text("成绩作废")
