"""The app's named errors; the HTTP layer maps each to a status code in one place (sla_app.http.problem)."""

from __future__ import annotations


class AppError(Exception):
    """Base of errors a caller can act on. ``field`` names the offending input field, if any."""

    status = 500
    title = "Internal error"

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class BadRequest(AppError):
    """The request cannot be read (malformed JSON, wrong content)."""

    status, title = 400, "Bad request"


class Unauthorized(AppError):
    """Missing or wrong credentials (signature, token, principal)."""

    status, title = 401, "Unauthorized"


class Forbidden(AppError):
    """Authenticated, but not allowed."""

    status, title = 403, "Forbidden"


class NotFound(AppError):
    """No such resource."""

    status, title = 404, "Not found"


class Conflict(AppError):
    """The resource changed concurrently (ETag mismatch)."""

    status, title = 409, "Conflict"


class PreconditionFailed(AppError):
    """An ``If-Match`` / ``If-None-Match`` precondition does not hold."""

    status, title = 412, "Precondition failed"


class PayloadTooLarge(AppError):
    """Too many items or bytes."""

    status, title = 413, "Payload too large"


class Unprocessable(AppError):
    """Readable, but invalid: unknown tenant, invalid event, invalid value."""

    status, title = 422, "Unprocessable content"


class ServiceUnavailable(AppError):
    """Try again later (contention, an outage); ``retry_after`` seconds go out as ``Retry-After``."""

    status, title = 503, "Service unavailable"

    def __init__(self, detail: str, field: str | None = None, retry_after: int = 1) -> None:
        super().__init__(detail, field)
        self.retry_after = retry_after


class ConfigurationError(ServiceUnavailable):
    """A setting that cannot be right (unresolved or short secret, no platform authentication); logged as such."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, retry_after=300)
