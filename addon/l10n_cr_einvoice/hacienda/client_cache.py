"""One HaciendaClient per (database, company) and configuration, kept for the process.

A client holds an HTTP session and the token provider: reusing it keeps connections and
tokens (tokens are also shared between processes through Redis when configured)."""

import hashlib
import threading

_lock = threading.Lock()
_clients = {}


def fingerprint(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode('utf-8'))
        digest.update(b'\0')
    return digest.hexdigest()


def client(dbname, company_id, config_fingerprint, build):
    slot = (dbname, company_id)
    with _lock:
        cached = _clients.get(slot)
        if cached and cached[0] == config_fingerprint:
            return cached[1]
        new = build()
        _clients[slot] = (config_fingerprint, new)
    if cached:
        cached[1].close()
    return new


def forget(dbname, company_id=None):
    with _lock:
        slots = [s for s in _clients if s[0] == dbname and company_id in (None, s[1])]
        dropped = [_clients.pop(s)[1] for s in slots]
    for old in dropped:
        old.close()
