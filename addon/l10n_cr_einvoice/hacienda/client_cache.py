"""One HaciendaClient per (database, company) and configuration, kept for the process.

A client holds an HTTP session and the token provider: reusing it keeps connections and
tokens (tokens are also shared between processes through Redis when configured). A client
replaced or forgotten is closed."""

import hashlib

from .process_cache import ProcessCache

_clients = ProcessCache(close=lambda client: client.close())


def fingerprint(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode('utf-8'))
        digest.update(b'\0')
    return digest.hexdigest()


def client(dbname, company_id, config_fingerprint, build):
    return _clients.get(dbname, company_id, config_fingerprint, build)


def forget(dbname, company_id=None):
    _clients.forget(dbname, company_id)
