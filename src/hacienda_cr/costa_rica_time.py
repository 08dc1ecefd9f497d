"""Costa Rica's clock: UTC-06:00 all year (no daylight saving since 1992).

Hacienda expects every date-time with an explicit ``-06:00`` offset; a time written as
local time with a ``Z`` suffix is six hours off (a defect seen in peer implementations).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CR_TZ = timezone(timedelta(hours=-6), "America/Costa_Rica")


def now() -> datetime:
    """The current time in Costa Rica, to the second (Hacienda's format has no fractions)."""
    return datetime.now(CR_TZ).replace(microsecond=0)


def to_costa_rica(value: datetime) -> datetime:
    """Naive values are taken as Costa Rica local time; aware ones are converted."""
    if value.tzinfo is None:
        return value.replace(tzinfo=CR_TZ)
    return value.astimezone(CR_TZ)


def format_datetime(value: datetime) -> str:
    """``2026-03-01T10:15:00-06:00``: seconds precision and the -06:00 offset."""
    return to_costa_rica(value).replace(microsecond=0).isoformat()


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date-time (a trailing ``Z`` is accepted); raises ValueError."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if len(text) == 10:  # a bare date means the start of that day in Costa Rica
        return datetime.combine(date.fromisoformat(text), datetime.min.time())
    return datetime.fromisoformat(text)
