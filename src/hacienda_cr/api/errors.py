"""What can go wrong talking to Hacienda, sorted by what the caller should do about it.

Three kinds, each a base class the caller can catch:

* :class:`TransientError` — try again later (timeouts, connection resets, 5xx, 429,
  token endpoint outages). ``retry_after`` says how long the server asked to wait;
  ``ambiguous`` is True when the request may have reached Hacienda (then ask the status
  before sending the same document again — :class:`~hacienda_cr.api.client.HaciendaClient`
  does this itself).
* :class:`ConfigurationProblem` — nothing will work until an operator fixes something:
  wrong credentials, a user not allowed to act for the taxpayer, a URL that is not
  Hacienda's API. Also a :class:`hacienda_cr.errors.ConfigurationError`.
* :class:`DocumentRejected` — a final answer about this document (400 at the gate with
  ``X-Error-Cause``): do not resend it; fix the document and issue a new one.

``kind_of(exc)`` names the kind of any exception as ``"transient"``, ``"configuration"``,
``"rejected"`` or ``"input"``.
"""

from __future__ import annotations

from hacienda_cr.errors import ConfigurationError, HaciendaError, InputError


class ApiError(HaciendaError):
    """Base of the API errors; ``message`` is meant for the person reading the log."""

    kind = "api"

    def __init__(self, message: str, *, status: int | None = None, cause: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status  # the HTTP status, when there was a response
        self.cause = cause  # Hacienda's X-Error-Cause (or the IDP's error_description)


class TransientError(ApiError):
    """Try again later; nothing is wrong with the document or the configuration."""

    kind = "transient"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        cause: str | None = None,
        retry_after: float | None = None,
        ambiguous: bool = False,
    ):
        super().__init__(message, status=status, cause=cause)
        self.retry_after = retry_after
        self.ambiguous = ambiguous


class ConnectionFailed(TransientError):
    """No usable answer: connection refused, reset, or closed mid-way."""


class RequestTimedOut(TransientError):
    """No answer within the configured timeout."""


class ServerError(TransientError):
    """Hacienda answered 5xx."""


class RateLimited(TransientError):
    """Hacienda answered 429: too many requests; ``retry_after`` is its advice."""


class NotYetVisible(TransientError):
    """Hacienda answers 404 for a document sent moments ago that may have arrived: ask again
    before sending it again (always ``ambiguous``)."""


class RetriesExhausted(TransientError):
    """Every attempt allowed by the retry policy failed transiently; ``last`` is the last error.

    When ``ambiguous`` is True the document may have reached Hacienda: ask its status
    before submitting it again (``HaciendaClient.submit`` does that on the next call)."""

    def __init__(self, message: str, last: TransientError, attempts: int, *, ambiguous: bool):
        super().__init__(
            message,
            status=last.status,
            cause=last.cause,
            retry_after=last.retry_after,
            ambiguous=ambiguous,
        )
        self.last = last
        self.attempts = attempts


class ConfigurationProblem(ApiError, ConfigurationError):
    """An operator must fix something (credentials, permissions, URLs) before retrying."""

    kind = "configuration"


class AuthenticationFailed(ConfigurationProblem):
    """The IDP refused the credentials, or the API keeps refusing fresh tokens."""


class PermissionDenied(ConfigurationProblem):
    """403: the user is not authorised to act for this taxpayer."""


class UnexpectedResponse(ConfigurationProblem):
    """An answer that Hacienda's API never gives (wrong URL, a proxy's error page, …)."""


class DocumentRejected(ApiError):
    """Final: Hacienda refused this document at the gate; ``reason`` says why."""

    kind = "rejected"

    def __init__(self, message: str, *, reason: str, status: int | None = 400, clave: str | None = None):
        super().__init__(message, status=status, cause=reason)
        self.reason = reason
        self.clave = clave


def kind_of(exc: BaseException) -> str:
    """``transient`` | ``configuration`` | ``rejected`` | ``input`` | ``unknown``."""
    if isinstance(exc, ApiError):
        return exc.kind
    if isinstance(exc, InputError):
        return "input"
    if isinstance(exc, ConfigurationError):
        return "configuration"
    return "unknown"
