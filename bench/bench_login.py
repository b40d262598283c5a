"""The login's cache work (accounts.security): issuing and checking an SMS code, and counting a
failed login with its sliding 15-minute window, against the floor of the bare cache operations
they are built from (one set + one get; one incr), on the configured cache, in the same run."""

import time

import _common

N = 2000


def main():
    connection = _common.setup()
    try:
        from django.conf import settings
        from django.core.cache import cache

        from accounts import security

        clock = {"t": time.time()}
        security._now = lambda: clock["t"]  # move time so the 60-second resend limit never bites

        def codes():
            for i in range(N):
                subject = f"admin:bench{i}"
                code = security.code_issue(subject)
                security.code_verify(subject, code)

        def code_floor():
            for i in range(N):
                cache.set(f"bench:floor:{i}", {"h": "x" * 64, "at": 0.0}, 300)
                cache.get(f"bench:floor:{i}")

        def failures():
            for i in range(N):
                security.failure_register(f"admin:fail{i % 50}")
                if i % 50 == 49:
                    clock["t"] += 3600  # let the locks lapse

        def failure_floor():
            cache.add("bench:incr", 0, 600)
            for _ in range(N):
                cache.incr("bench:incr")

        cache.clear()
        floor_s = _common.best_of(code_floor)
        cache.clear()
        codes_s = _common.best_of(lambda: (cache.clear(), codes()))
        backend = "redis" if settings.REDIS_URL else "locmem"
        _common.report(f"sms code issue+verify per login [{backend}]", codes_s / N * 1e6, "us", floor_s / N * 1e6)
        cache.clear()
        floor_s = _common.best_of(failure_floor)
        fail_s = _common.best_of(lambda: (cache.clear(), failures()))
        _common.report(f"failed-login count+window per attempt [{backend}]", fail_s / N * 1e6, "us", floor_s / N * 1e6)
        cache.clear()
    finally:
        _common.teardown(connection)


if __name__ == "__main__":
    main()
