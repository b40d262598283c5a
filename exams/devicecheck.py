"""终端可用性测试 as plain functions (no database): which browser a User-Agent names, and the
verdict on one run's measurements. The service stores both; the tests call these directly.

The browser is read from the User-Agent the server received, not from anything the page
reports. Chromium-based browsers put "Chrome/NNN" in their User-Agent too, so those that name
themselves (Edge "Edg/", Opera "OPR/", 360 "QIHU"/"360SE", QQ, Sogou "SE 2.X MetaSr", UC,
WeChat's built-in browser) are recognised first and refused by name. A phone or tablet is
refused: the exam is sat on a computer."""

import re
from dataclasses import dataclass, field

from .choices import CAMERA_MIN_FRAMES, MAX_CLOCK_OFFSET_MS, MAX_RTT_MS, SUPPORTED_BROWSERS

_OTHERS = [
    (re.compile(r"\bEdg(?:e|A|iOS)?/(\d+)"), "Edge"),
    (re.compile(r"\bOPR/(\d+)|\bOpera/(\d+)"), "Opera"),
    (re.compile(r"QIHU|360SE|360EE"), "360 浏览器"),
    (re.compile(r"QQBrowser/(\d+)"), "QQ 浏览器"),
    (re.compile(r"MetaSr"), "搜狗浏览器"),
    (re.compile(r"UCBrowser/(\d+)"), "UC 浏览器"),
    (re.compile(r"MicroMessenger/"), "微信内置浏览器"),
    (re.compile(r"SamsungBrowser/(\d+)"), "三星浏览器"),
    (re.compile(r"YaBrowser/(\d+)"), "Yandex"),
]
_FIREFOX = re.compile(r"\bFirefox/(\d+)")
_CHROME = re.compile(r"\b(?:Headless)?Chrome/(\d+)")
_MOBILE = re.compile(r"Android|iPhone|iPad|iPod|Mobile", re.I)


@dataclass(frozen=True)
class Browser:
    key: str  # "chrome", "firefox", or "other"
    name: str  # what the candidate is told
    version: int | None
    mobile: bool = False


def parse_browser(user_agent: str) -> Browser:
    """The browser a User-Agent names. HeadlessChrome is Chrome (the same engine and version)."""
    ua = user_agent or ""
    mobile = bool(_MOBILE.search(ua))
    for pattern, name in _OTHERS:
        match = pattern.search(ua)
        if match:
            digits = next((g for g in match.groups() if g), None) if match.groups() else None
            return Browser("other", name, int(digits) if digits else None, mobile)
    match = _FIREFOX.search(ua)
    if match:
        return Browser("firefox", "Firefox", int(match.group(1)), mobile)
    match = _CHROME.search(ua)
    if match:
        return Browser("chrome", "Chrome", int(match.group(1)), mobile)
    return Browser("other", "未知浏览器", None, mobile)


def browser_problem(browser: Browser) -> str | None:
    if browser.mobile:
        return "请使用台式机或笔记本电脑参加考试（手机、平板不能用于考试）"
    supported = SUPPORTED_BROWSERS.get(browser.key)
    if supported is None:
        names = "或".join(f"{label} {minimum} 及以上版本" for label, minimum in SUPPORTED_BROWSERS.values())
        return f"当前浏览器为{browser.name}，请使用 {names}"
    label, minimum = supported
    if browser.version is None or browser.version < minimum:
        return f"{label} 版本过低（{browser.version or '未知'}），请升级到 {minimum} 及以上版本"
    return None


@dataclass
class Measurements:
    """What the page measured (the save is the server's own record, not the page's claim)."""

    camera_required: bool
    camera_ok: bool | None = None
    camera_frames: int | None = None
    camera_error: str = ""
    clock_offset_ms: int | None = None
    rtt_ms: int | None = None
    save_received: bool = False


@dataclass
class Verdict:
    passed: bool
    reasons: list = field(default_factory=list)


def evaluate(browser: Browser, m: Measurements) -> Verdict:
    """The verdict on one run: every problem in words (an empty list passes)."""
    reasons = []
    problem = browser_problem(browser)
    if problem:
        reasons.append(problem)
    if m.camera_required:
        if not m.camera_ok or (m.camera_frames or 0) < CAMERA_MIN_FRAMES:
            detail = f"（{m.camera_error}）" if m.camera_error else ""
            reasons.append("摄像头不可用或没有画面" + detail + "：继续教育(线上)为远程监考，须有可用的摄像头并允许浏览器使用")
    if m.clock_offset_ms is None:
        reasons.append("未能测得与服务器的时间偏差")
    elif abs(m.clock_offset_ms) > MAX_CLOCK_OFFSET_MS:
        reasons.append(f"电脑时间与服务器相差 {abs(m.clock_offset_ms) / 1000:.0f} 秒，请将电脑时间设置为自动同步")
    if m.rtt_ms is None:
        reasons.append("未能测得网络往返时间")
    elif m.rtt_ms > MAX_RTT_MS:
        reasons.append(f"网络延迟过高（{m.rtt_ms} 毫秒，应不超过 {MAX_RTT_MS} 毫秒），请更换网络")
    if not m.save_received:
        reasons.append("测试答案未能保存到服务器，请检查网络或防火墙设置")
    return Verdict(passed=not reasons, reasons=reasons)
