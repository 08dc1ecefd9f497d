"""OAuth2 tokens from Hacienda's IDP: password grant, refresh grant, cached until near expiry.

A cache holds one token per (IDP, client id, user). In memory it is shared by the threads
of one process; in Redis by every process that uses the same Redis, and a short lock
around renewing means that N workers finding the token expired at the same moment log in
once, not N times (Hacienda throttles logins; requesting a token per call is a known way
to get 429s).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Protocol

from hacienda_cr.api.config import ClientConfig
from hacienda_cr.api.errors import (
    AuthenticationFailed,
    RateLimited,
    ServerError,
    TransientError,
    UnexpectedResponse,
)
from hacienda_cr.api.retry import parse_retry_after
from hacienda_cr.errors import ConfigurationError
from hacienda_cr.redaction import redact_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: float  # wall-clock epoch seconds (shared between processes)
    issued_at: float
    refresh_token: str | None = None
    refresh_expires_at: float | None = None

    def usable(self, margin: float, now: float | None = None) -> bool:
        """Valid for longer than the margin; a short-lived token uses a quarter of its life."""
        now = time.time() if now is None else now
        margin = min(margin, (self.expires_at - self.issued_at) / 4)
        return now < self.expires_at - margin

    def refreshable(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        if not self.refresh_token or self.refresh_expires_at is None:
            return False
        # Keep a second in hand (less for the short-lived tokens of tests) for the round trip.
        margin = min(1.0, (self.refresh_expires_at - self.issued_at) / 10)
        return now < self.refresh_expires_at - margin

    def dumps(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def loads(cls, text: str | bytes) -> Token | None:
        try:
            return cls(**json.loads(text))
        except (TypeError, ValueError):
            return None


class TokenCache(Protocol):
    def get(self, key: str) -> Token | None: ...
    def put(self, key: str, token: Token) -> None: ...
    def discard(self, key: str, access_token: str) -> None: ...
    def lock(self, key: str): ...


class MemoryTokenCache:
    """Tokens shared by the threads of this process."""

    def __init__(self):
        self._tokens: dict[str, Token] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: str) -> Token | None:
        return self._tokens.get(key)

    def put(self, key: str, token: Token) -> None:
        self._tokens[key] = token

    def discard(self, key: str, access_token: str) -> None:
        with self._guard:
            current = self._tokens.get(key)
            if current is not None and current.access_token == access_token:
                del self._tokens[key]

    @contextmanager
    def lock(self, key: str):
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            yield


# Delete the cached token only if it is still the one that was refused: another process
# may already have stored a fresh one, which must not be thrown away.
_DISCARD_IF_SAME = """
local value = redis.call('GET', KEYS[1])
if value and cjson.decode(value)['access_token'] == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisTokenCache:
    """Tokens shared by every process using this Redis (needs the ``cache`` extra: redis).

    If Redis is unreachable the client still works: it falls back to logging in without
    the shared cache and logs a warning, because invoicing must not stop for a cache."""

    def __init__(self, url: str, *, prefix: str = "hacienda-cr:token:", lock_timeout: float = 30.0):
        try:
            import redis
        except ImportError:
            raise ConfigurationError(
                "a Redis token cache is configured but the 'redis' package is not installed "
                "(pip install 'hacienda-cr[cache]')"
            ) from None
        self._redis_errors = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
        self._lock_error = redis.exceptions.LockError
        # The URL may hold Redis's password: only its redacted form is kept for messages.
        self.url = redact_url(url)
        try:
            self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        except ValueError as exc:
            raise ConfigurationError(
                f"the token cache URL {self.url!r} is not a Redis URL: {str(exc).replace(url, self.url)}"
            ) from None
        self.prefix = prefix
        self.lock_timeout = lock_timeout
        self._discard = self._redis.register_script(_DISCARD_IF_SAME)
        self._fallback = MemoryTokenCache()

    def _warn(self, exc: BaseException) -> None:
        log.warning("token cache %s unavailable (%s); using this process's own cache", self.url, exc)

    def get(self, key: str) -> Token | None:
        try:
            value = self._redis.get(self.prefix + key)
        except self._redis_errors as exc:
            self._warn(exc)
            return self._fallback.get(key)
        return Token.loads(value) if value else None

    def put(self, key: str, token: Token) -> None:
        until = token.refresh_expires_at if token.refreshable() else token.expires_at
        ttl_ms = max(1000, int((until - time.time()) * 1000))
        try:
            self._redis.set(self.prefix + key, token.dumps(), px=ttl_ms)
        except self._redis_errors as exc:
            self._warn(exc)
            self._fallback.put(key, token)

    def discard(self, key: str, access_token: str) -> None:
        try:
            self._discard(keys=[self.prefix + key], args=[access_token])
        except self._redis_errors as exc:
            self._warn(exc)
        self._fallback.discard(key, access_token)

    @contextmanager
    def lock(self, key: str):
        lock = self._redis.lock(
            self.prefix + key + ":lock",
            timeout=self.lock_timeout,
            blocking_timeout=self.lock_timeout + 5,
        )
        try:
            acquired = lock.acquire()
        except self._redis_errors as exc:
            self._warn(exc)
            with self._fallback.lock(key):
                yield
            return
        if not acquired:
            raise TransientError(f"another process has held the token lock in {self.url} for too long")
        try:
            yield
        finally:
            try:
                lock.release()
            except (self._lock_error, *self._redis_errors):
                pass  # expired meanwhile; nothing left to release


def cache_key(config: ClientConfig) -> str:
    env = config.environment
    raw = f"{env.token_url}\n{env.client_id}\n{config.username}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class TokenProvider:
    """Hands out a valid access token, renewing it through the cache's lock when needed."""

    def __init__(self, config: ClientConfig, transport, cache: TokenCache):
        self.config = config
        self.transport = transport
        self.cache = cache
        self.key = cache_key(config)
        self.logins = 0  # grants requested by this provider, for diagnostics
        self.refreshes = 0

    def access_token(self) -> str:
        margin = self.config.timeouts.token_refresh_margin
        token = self.cache.get(self.key)
        if token is not None and token.usable(margin):
            return token.access_token
        with self.cache.lock(self.key):
            # Whoever held the lock before us may have renewed it already.
            token = self.cache.get(self.key)
            if token is not None and token.usable(margin):
                return token.access_token
            token = self._renew(token)
            self.cache.put(self.key, token)
            return token.access_token

    def invalidate(self, access_token: str) -> None:
        """The API refused this token: forget it (unless a fresh one has replaced it)."""
        self.cache.discard(self.key, access_token)

    def _renew(self, old: Token | None) -> Token:
        if old is not None and old.refreshable():
            try:
                return self._grant({"grant_type": "refresh_token", "refresh_token": old.refresh_token})
            except AuthenticationFailed:
                pass  # refresh token revoked or expired server-side: log in again
        return self._grant({"grant_type": "password", "username": self.config.username, "password": self.config.password})

    def _grant(self, form: dict) -> Token:
        env = self.config.environment
        form = {**form, "client_id": env.client_id}
        grant = form["grant_type"]
        started = time.time()
        # Never follow a redirect with the password or a refresh token in the body: a token
        # endpoint that moved is a configuration to fix, not a place to send secrets to.
        resp = self.transport.request(
            "POST", env.token_url, data=form, headers={"Accept": "application/json"}, allow_redirects=False
        )
        if grant == "password":
            self.logins += 1
        else:
            self.refreshes += 1
        if resp.status_code == 200:
            return self._token_from(resp, started)
        where = f"the IDP at {redact_url(env.token_url)}"
        if 300 <= resp.status_code < 400:
            raise UnexpectedResponse(
                f"{where} answered {resp.status_code}, a redirect to "
                f"{redact_url(resp.headers.get('Location') or '(no Location)')}; the credentials are "
                "not sent after it: set the token URL to the token endpoint itself (https)",
                status=resp.status_code,
            )
        error, description = _oauth_error(resp)
        if resp.status_code == 429:
            raise RateLimited(f"{where} is throttling logins", status=429, retry_after=parse_retry_after(resp.headers.get("Retry-After")))
        if resp.status_code >= 500:
            raise ServerError(f"{where} answered {resp.status_code} (outage)", status=resp.status_code, cause=description)
        if resp.status_code == 404:
            raise UnexpectedResponse(
                f"no token endpoint at {redact_url(env.token_url)} (404): check the IDP URL and realm", status=404
            )
        if error in ("invalid_client", "unauthorized_client"):
            raise AuthenticationFailed(
                f"{where} does not accept client id {env.client_id!r} ({description or error}): "
                "sandbox uses realm rut-stag with api-stag, production realm rut with api-prod",
                status=resp.status_code,
                cause=description,
            )
        if grant == "refresh_token" and resp.status_code in (400, 401):
            raise AuthenticationFailed(f"{where} refused the refresh token ({description or error})", status=resp.status_code)
        if resp.status_code in (400, 401):
            raise AuthenticationFailed(
                f"{where} refused the username/password of {self.config.username} ({description or error}). "
                "Check the API credentials generated in ATV/TRIBU-CR; sandbox and production users differ.",
                status=resp.status_code,
                cause=description,
            )
        raise UnexpectedResponse(f"{where} answered {resp.status_code}: {description or resp.text[:200]}", status=resp.status_code)

    def _token_from(self, resp, started: float) -> Token:
        try:
            body = resp.json()
            access = body["access_token"]
            expires_in = float(body.get("expires_in") or 300)
        except (ValueError, KeyError, TypeError):
            raise UnexpectedResponse(
                f"the IDP at {redact_url(self.config.environment.token_url)} answered 200 without an access token"
            ) from None
        refresh = body.get("refresh_token")
        refresh_in = body.get("refresh_expires_in")
        return Token(
            access_token=access,
            # Counted from before the request: never believe a token lives longer than it does.
            expires_at=started + expires_in,
            issued_at=started,
            refresh_token=refresh,
            refresh_expires_at=started + float(refresh_in) if refresh and refresh_in else None,
        )


def _oauth_error(resp) -> tuple[str, str]:
    try:
        body = resp.json()
    except ValueError:
        return "", resp.text[:200]
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error") or ""), str(body.get("error_description") or "")
