"""Credentials never reach a log line or an error message.

URLs may carry them (``redis://:password@host:6379/0``, ``?password=…``); everything this
library logs or raises shows such URLs through :func:`redact_url`.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

HIDDEN = "***"
_SECRET_PARAMETERS = ("pass", "secret", "token", "key", "auth")


def redact_url(url: object) -> str:
    """``url`` with the password of its user part and secret-looking query values hidden.

    A user part without a password may itself be a secret (a token): it is hidden whole."""
    text = str(url)
    try:
        parts = urlsplit(text)
        username, password = parts.username, parts.password
    except ValueError:  # not a URL that can be taken apart: show nothing of it that could leak
        return text.split("@", 1)[-1] if "@" in text else text
    netloc = parts.netloc
    if "@" in netloc:
        host = netloc.rpartition("@")[2]
        user = f"{username}:{HIDDEN}" if password is not None and username else HIDDEN
        netloc = f"{user}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_secret(name) for name, _ in pairs):
            query = urlencode([(name, HIDDEN if _secret(name) else value) for name, value in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_PARAMETERS)
