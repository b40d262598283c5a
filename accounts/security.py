"""Login codes, failure counting and lockouts, kept in the Django cache (Redis when REDIS_URL is
set) so the limits hold across every web process (docs/decisions.md#login-lockout):

- an SMS code has 6 digits, is valid 5 minutes, is used once and dies after 5 wrong tries;
- a new code at most once per 60 seconds and at most 10 per account per day;
- 5 failed logins within 15 minutes lock the account for 30 minutes (central can unlock).

Every counter is keyed by a *subject* string ("admin:<username>", "cand:<type>:<number>"), not by
a user row: an unknown username is counted and locked exactly like a real one, so nothing seen
from outside tells whether an account exists. Keys are hashed (no ID number in Redis).

Counters use cache.add + cache.incr (atomic in Redis). Times are compared against stored
timestamps taken from `_now()` — the cache TTLs only clean up — so tests can move the clock."""

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac

from core.errors import ApplicationError

CODE_DIGITS = 6
CODE_TTL = 5 * 60
CODE_MAX_WRONG = 5
RESEND_INTERVAL = 60
DAILY_CODE_LIMIT = 10
FAIL_WINDOW_MINUTES = 15
FAIL_LIMIT = 5
LOCK_SECONDS = 30 * 60


def _now() -> float:
    return time.time()


def _key(kind: str, subject: str, *extra) -> str:
    digest = hashlib.sha256(subject.encode("utf-8")).hexdigest()[:40]
    return ":".join(["acct", kind, digest, *map(str, extra)])


def admin_subject(username: str) -> str:
    return "admin:" + (username or "").strip().lower()


def candidate_subject(id_type_code, id_number: str) -> str:
    return f"cand:{id_type_code}:{(id_number or '').strip().upper()}"


# ---- SMS codes ---------------------------------------------------------------------------


def _code_hash(subject: str, code: str) -> str:
    return salted_hmac("accounts.login-code", f"{subject}|{code}").hexdigest()


def _local_day(ts: float) -> str:
    import datetime
    import zoneinfo

    return datetime.datetime.fromtimestamp(ts, zoneinfo.ZoneInfo(settings.TIME_ZONE)).strftime("%Y%m%d")


def code_issue(subject: str) -> str:
    """A fresh 6-digit code for `subject`, replacing any earlier one. Refused (ApplicationError)
    within 60 s of the previous code or after 10 codes this (Asia/Shanghai) day."""
    now = _now()
    cooldown = _key("cooldown", subject)
    if not cache.add(cooldown, now, RESEND_INTERVAL):
        last = cache.get(cooldown)
        if last is not None and now - float(last) < RESEND_INTERVAL:
            wait = int(RESEND_INTERVAL - (now - float(last))) + 1
            raise ApplicationError(f"获取验证码过于频繁，请 {wait} 秒后再试", field="sms_code", code="cooldown")
        cache.set(cooldown, now, RESEND_INTERVAL)
    day = _key("codes-day", subject, _local_day(now))
    cache.add(day, 0, 2 * 24 * 3600)
    try:
        count = cache.incr(day)
    except ValueError:  # expired between add and incr
        cache.set(day, 1, 2 * 24 * 3600)
        count = 1
    if count > DAILY_CODE_LIMIT:
        raise ApplicationError(f"今日获取验证码次数已达上限（{DAILY_CODE_LIMIT} 次），请明天再试",
                               field="sms_code", code="daily_limit")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    cache.set(_key("code", subject), {"h": _code_hash(subject, code), "at": now}, CODE_TTL + 5)
    cache.set(_key("code-tries", subject), 0, CODE_TTL + 5)
    return code


def code_release_cooldown(subject: str) -> None:
    """The SMS did not go out: let the person ask again at once (the day's count stays)."""
    cache.delete(_key("cooldown", subject))


def code_verify(subject: str, code: str) -> None:
    """Accept the code once; raise ApplicationError(field="sms_code") otherwise. The 5th wrong
    try kills the code; a used or older-than-5-minutes code is refused."""
    code_key, tries_key = _key("code", subject), _key("code-tries", subject)
    stored = cache.get(code_key)
    if not stored or _now() - float(stored["at"]) > CODE_TTL:
        cache.delete(code_key)
        raise ApplicationError("短信验证码已失效，请重新获取", field="sms_code", code="expired")
    try:
        tries = cache.incr(tries_key)
    except ValueError:
        raise ApplicationError("短信验证码已失效，请重新获取", field="sms_code", code="expired") from None
    if tries > CODE_MAX_WRONG:
        cache.delete(code_key)
        raise ApplicationError("短信验证码错误次数过多，请重新获取", field="sms_code", code="too_many")
    if constant_time_compare(stored["h"], _code_hash(subject, (code or "").strip())):
        # single use: only the request that actually deletes the key may proceed
        if cache.delete(code_key):
            cache.delete(tries_key)
            return
        raise ApplicationError("短信验证码已失效，请重新获取", field="sms_code", code="expired")
    if tries >= CODE_MAX_WRONG:
        cache.delete(code_key)
        raise ApplicationError("短信验证码错误次数过多，已失效，请重新获取", field="sms_code", code="too_many")
    raise ApplicationError(f"短信验证码不正确，还可尝试 {CODE_MAX_WRONG - tries} 次", field="sms_code", code="wrong")


# ---- failures and lockout ---------------------------------------------------------------


@dataclass
class Lock:
    until: float

    @property
    def minutes_left(self) -> int:
        return max(1, int((self.until - _now() + 59) // 60))


def lock_status(subject: str) -> Lock | None:
    until = cache.get(_key("lock", subject))
    if until is None or float(until) <= _now():
        return None
    return Lock(until=float(until))


def _fail_keys(subject: str, minute: int) -> list[str]:
    return [_key("fail", subject, m) for m in range(minute - FAIL_WINDOW_MINUTES + 1, minute + 1)]


def failure_register(subject: str) -> bool:
    """Count one failed login. Returns True when this failure locked the subject (5 within the
    last 15 minutes, counted in one-minute buckets so the window slides)."""
    now = _now()
    minute = int(now // 60)
    bucket = _key("fail", subject, minute)
    cache.add(bucket, 0, (FAIL_WINDOW_MINUTES + 1) * 60)
    try:
        cache.incr(bucket)
    except ValueError:
        cache.set(bucket, 1, (FAIL_WINDOW_MINUTES + 1) * 60)
    total = sum(int(v) for v in cache.get_many(_fail_keys(subject, minute)).values())
    if total >= FAIL_LIMIT:
        lock_key = _key("lock", subject)
        if cache.add(lock_key, now + LOCK_SECONDS, LOCK_SECONDS):
            failures_clear(subject)
            return True
        current = cache.get(lock_key)
        if current is None or float(current) <= now:  # a stale lock the cache has not dropped yet
            cache.set(lock_key, now + LOCK_SECONDS, LOCK_SECONDS)
            failures_clear(subject)
            return True
    return False


def failures_clear(subject: str) -> None:
    cache.delete_many(_fail_keys(subject, int(_now() // 60)))


def unlock(subject: str) -> bool:
    """Lift a lock and forget recent failures. Returns whether a lock was in force."""
    was_locked = lock_status(subject) is not None
    cache.delete(_key("lock", subject))
    failures_clear(subject)
    return was_locked


def locked_message(lock: Lock, *, unlocker: str = "部中心") -> str:
    return f"登录失败次数过多，账号已锁定，请 {lock.minutes_left} 分钟后再试或联系{unlocker}解锁"
