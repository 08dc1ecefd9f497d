"""What can go wrong asking Hacienda's public data services, sorted by what to do about it.

* :class:`ServiceUnavailable` — no usable answer now: carry on with what is stored and say
  so. Three kinds, each its own class: :class:`ServiceDown` (refused, reset, 5xx, 429),
  :class:`ServiceSlow` (no answer within the timeout) and :class:`MalformedAnswer` (an
  answer that is not the service's JSON: a proxy's page, a truncated body, a field of the
  wrong type).
* :class:`NotFound` — a definite answer: Hacienda does not know this identification,
  authorisation number, CABYS code or the rate of that day.

Bad input (an identification that is not one, a malformed authorisation number) is an
:class:`hacienda_cr.errors.InputError`, raised before anything is sent.
"""

from __future__ import annotations

from hacienda_cr.errors import HaciendaError


class PublicDataError(HaciendaError):
    """Base of the public data errors; ``service`` names the service asked (``taxpayer``,
    ``exchange-rate``, ``cabys``, ``exoneration``)."""

    kind = "public-data"

    def __init__(self, message: str, *, service: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.service = service
        self.status = status


class ServiceUnavailable(PublicDataError):
    """No usable answer right now: use the stored data instead and tell the user."""

    kind = "unavailable"


class ServiceDown(ServiceUnavailable):
    """Connection refused or cut, 5xx, or 429 (``retry_after``: seconds Hacienda asked to wait)."""

    kind = "down"

    def __init__(self, message: str, *, service: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message, service=service, status=status)
        self.retry_after = retry_after


class ServiceSlow(ServiceUnavailable):
    """Connected, but no answer within the read timeout."""

    kind = "slow"


class MalformedAnswer(ServiceUnavailable):
    """An answer that is not what the service publishes; ``path`` names the offending field."""

    kind = "malformed"

    def __init__(self, message: str, *, service: str, status: int | None = None, path: str = ""):
        super().__init__(message, service=service, status=status)
        self.path = path


class NotFound(PublicDataError):
    """Hacienda answered that it does not know what was asked for. For an exchange rate
    not published yet, ``latest`` is the most recent one Hacienda gave instead."""

    kind = "unknown"

    def __init__(self, message: str, *, service: str, status: int | None = None, latest=None):
        super().__init__(message, service=service, status=status)
        self.latest = latest
