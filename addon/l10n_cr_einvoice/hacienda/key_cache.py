"""The taxpayers' signing keys, loaded once per process.

Opening a .p12 costs ~60 ms (OpenSSL checks the RSA key); signing costs well under one. A
key is kept per (database, company) together with a fingerprint of the certificate record
it came from, so replacing or editing the certificate loads the new one on next use.
"""

from .process_cache import ProcessCache

_keys = ProcessCache()


def signing_key(dbname, company_id, fingerprint, load):
    """The cached key for this company if ``fingerprint`` still matches, else ``load()``'s."""
    return _keys.get(dbname, company_id, fingerprint, load)


def forget(dbname, company_id=None):
    _keys.forget(dbname, company_id)
