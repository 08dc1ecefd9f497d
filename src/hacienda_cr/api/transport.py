"""One HTTP request to Hacienda, with its failures translated into the error taxonomy.

The key distinction: did the request possibly reach the server? A refused connection or a
connect timeout means it did not (safe to resend). A reset, a closed connection or a read
timeout after sending means it may have (``ambiguous``): the caller must ask the status
before sending the same document again.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from hacienda_cr.api.config import ClientConfig
from hacienda_cr.api.errors import ConfigurationProblem, ConnectionFailed, RequestTimedOut
from hacienda_cr.api.retry import RateLimiter
from hacienda_cr.redaction import redact_url

try:  # urllib3 1.26 and 2.x both have these
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
except ImportError:  # pragma: no cover
    NewConnectionError = ConnectTimeoutError = ()


def _never_connected(exc: BaseException) -> bool:
    """True when the failure happened before a connection existed (nothing was sent)."""
    seen = set()
    stack = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if NewConnectionError and isinstance(item, (NewConnectionError, ConnectTimeoutError)):
            return True
        stack.extend(a for a in getattr(item, "args", ()) if isinstance(a, BaseException))
        stack.append(getattr(item, "reason", None))
        stack.append(item.__cause__)
        stack.append(item.__context__)
    return False


class ThreadSessions:
    """One requests Session per thread (a Session is not meant to be shared), all closed together.

    No automatic retries underneath: every retry decision is the caller's, because a blind
    retry of a POST that may have arrived is exactly what must not happen."""

    def __init__(self, headers: dict[str, str], *, verify: bool = True, pool_size: int = 4):
        self.headers = dict(headers)
        self.verify = verify
        self.pool_size = pool_size
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def get(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(max_retries=0, pool_connections=self.pool_size, pool_maxsize=self.pool_size)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers.update(self.headers)
            session.verify = self.verify
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()


class Transport:
    """requests sessions (one per thread) + rate limit."""

    def __init__(self, config: ClientConfig):
        self.config = config
        self.limiter = RateLimiter(config.rate_limit, config.rate_burst)
        self.sessions = ThreadSessions({"User-Agent": config.user_agent}, verify=config.verify_tls)

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        self.limiter.acquire()
        parts = urlsplit(url)
        host = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
        timeouts = self.config.timeouts
        try:
            return self.sessions.get().request(method, url, timeout=(timeouts.connect, timeouts.read), **kwargs)
        except requests.exceptions.ConnectTimeout:
            raise RequestTimedOut(
                f"could not connect to {host} within {timeouts.connect:g} s", ambiguous=False
            ) from None
        except requests.exceptions.ReadTimeout:
            raise RequestTimedOut(
                f"{host} did not answer {method} {urlsplit(url).path} within {timeouts.read:g} s",
                ambiguous=True,
            ) from None
        except requests.exceptions.SSLError as exc:
            raise ConfigurationProblem(
                f"TLS with {host} failed ({_short(exc)}): check the URL and the system's CA certificates"
            ) from None
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema):
            raise ConfigurationProblem(f"{redact_url(url)!r} is not a usable URL") from None
        except requests.exceptions.ConnectionError as exc:
            if _never_connected(exc):
                raise ConnectionFailed(f"cannot connect to {host}: {_short(exc)}", ambiguous=False) from None
            raise ConnectionFailed(
                f"the connection to {host} broke during {method} {urlsplit(url).path}: {_short(exc)}",
                ambiguous=True,
            ) from None
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            raise ConnectionFailed(f"the answer from {host} was cut off: {_short(exc)}", ambiguous=True) from None

    def close(self) -> None:
        self.sessions.close()


def _short(exc: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error, without the pool boilerplate."""
    text = str(exc)
    for marker in ("Caused by ", "(Caused by "):
        if marker in text:
            text = text.split(marker, 1)[1].rstrip(")")
    return text[:200]
