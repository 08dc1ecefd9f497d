"""The taxpayers' signing keys, loaded once per process.

Opening a .p12 costs ~60 ms (OpenSSL checks the RSA key); signing costs well under one. A
key is kept per (database, company) together with a fingerprint of the certificate record
it came from, so replacing or editing the certificate loads the new one on next use.
"""

import threading

_lock = threading.Lock()
_keys = {}


def signing_key(dbname, company_id, fingerprint, load):
    """The cached key for this company if ``fingerprint`` still matches, else ``load()``'s."""
    slot = (dbname, company_id)
    with _lock:
        cached = _keys.get(slot)
    if cached and cached[0] == fingerprint:
        return cached[1]
    key = load()  # outside the lock: a slow load must not block other companies
    with _lock:
        _keys[slot] = (fingerprint, key)
    return key


def forget(dbname, company_id=None):
    with _lock:
        for slot in [s for s in _keys if s[0] == dbname and company_id in (None, s[1])]:
            del _keys[slot]
