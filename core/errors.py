"""One project-wide error type with one shape: a Chinese message for the user, optionally the
field (or row/column) it concerns. Services raise it; views turn it into a message or a 4xx."""


class ApplicationError(Exception):
    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid", extra=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.extra = extra or {}

    def __str__(self) -> str:
        return self.message


class PermissionDenied(ApplicationError):
    """The caller may not do this (a rule, not a missing object: those are 404)."""

    def __init__(self, message: str = "您没有权限执行此操作", **kwargs):
        super().__init__(message, code="forbidden", **kwargs)
