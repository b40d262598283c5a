"""Fixtures shared with the account tests: the login code limits' clock (the tests of docs/decisions.md#registration-contact drive 首次登录)."""

from accounts.tests.conftest import clock  # noqa: F401
