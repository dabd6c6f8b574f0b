"""One error family for every app; the API and pages render it the same way."""
from __future__ import annotations


# The one answer for a missing object and one out of the asker's reach, on every page and API path (issue 13).
NOT_FOUND_MESSAGE = "对象不存在或无权访问"


class ApplicationError(Exception):
    """A business rule refused the request. `message` is shown to the user (简体中文)."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid", fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class NotFound(ApplicationError):
    """Missing and forbidden look the same, so existence never leaks (Zulip's access_* helpers)."""

    status_code = 404

    def __init__(self):
        super().__init__(NOT_FOUND_MESSAGE, code="not_found")


class PermissionDenied(ApplicationError):
    status_code = 403

    def __init__(self, message: str = "没有执行此操作的权限", *, code: str = "permission_denied"):
        super().__init__(message, code=code)
