"""Backoff between attempts, and a per-process rate limit on requests."""

from __future__ import annotations

import random
import threading
import time

from hacienda_cr.api.config import RetryPolicy


def backoff_delay(policy: RetryPolicy, attempt: int, retry_after: float | None = None, rng=random) -> float:
    """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1).

    Full jitter (a uniform draw below the exponential ceiling) spreads the retries of many
    workers that failed together, so they do not hit Hacienda again in one burst. When the
    server said ``Retry-After``, that is the floor: retrying earlier only earns another 429.
    """
    ceiling = min(policy.max_delay, policy.base_delay * policy.multiplier ** max(0, attempt - 1))
    delay = rng.uniform(0, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.max_retry_after))
    return delay


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class RateLimiter:
    """Token bucket: ``rate`` requests per second on average, bursts of ``burst``.

    Shared by the threads of one client; 0 disables it."""

    def __init__(self, rate: float, burst: int = 1):
        self.rate = rate
        self.burst = max(1, burst)
        self._tokens = float(self.burst)
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping if needed; returns the seconds slept."""
        if self.rate <= 0:
            return 0.0
        with self._lock:
            now = time.monotonic()
            # A clock that went back (a test freezing time) must not drain the bucket for hours.
            elapsed = max(0.0, now - self._stamp)
            self._tokens = min(self.burst, self._tokens + elapsed * self.rate)
            self._stamp = now
            self._tokens -= 1
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        if wait:
            time.sleep(wait)
        return wait
