"""Fixtures shared with the account tests: the login code limits' clock (issue 11 tests drive 首次登录)."""

from accounts.tests.conftest import clock  # noqa: F401
