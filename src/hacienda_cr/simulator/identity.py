"""The simulator's own signing key and token secret, kept next to its database.

Hacienda signs every MensajeHacienda; the simulator signs its answers with a test
certificate made for "Ministerio de Hacienda" on first start (``<db>.signing.p12``, PIN in
the database), so answers stay verifiable with the same certificate across restarts -- or
with the key it is given (``--signing-p12``/``--signing-pin-file``), when its clients are
told beforehand which certificate "Hacienda" seals with (the staging stack).
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from hacienda_cr.errors import ConfigurationError, InputError
from hacienda_cr.signing import SigningKey, make_test_certificate
from hacienda_cr.simulator.store import Store

log = logging.getLogger(__name__)

HACIENDA_ID = ("02", "2100042005")  # cédula jurídica of the Ministerio de Hacienda
HACIENDA_NAME = "Ministerio de Hacienda (simulador)"


def key_path(db: Path) -> Path:
    return db.with_name(db.name + ".signing.p12")


def given_signing_key(p12: Path, pin_file: Path) -> SigningKey:
    """The sealing key a deployment made (never replaced: its clients trust its certificate)."""
    try:
        pin = pin_file.read_text(encoding="utf-8").strip()
        data = p12.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"the simulator's signing key: {exc.filename}: {exc.strerror or exc}") from None
    try:
        return SigningKey.from_pkcs12(data, pin)
    except InputError as exc:
        raise ConfigurationError(f"the simulator's signing key {p12} (PIN in {pin_file}): {exc}") from None


def signing_key(store: Store, p12: Path | None = None, pin_file: Path | None = None) -> SigningKey:
    if p12 is not None and pin_file is not None:
        return given_signing_key(p12, pin_file)
    path = key_path(store.path)
    pin = store.meta("signing_pin")
    if pin and path.exists():
        try:
            return SigningKey.from_pkcs12(path.read_bytes(), pin)
        except InputError as exc:
            log.warning("cannot load the simulator key %s (%s); making a new one", path, exc)
    pin = secrets.token_hex(12)
    data = make_test_certificate(*HACIENDA_ID, name=HACIENDA_NAME, pin=pin, days=3650)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    store.set_meta("signing_pin", pin)
    return SigningKey.from_pkcs12(data, pin)


def certificate_pem(key: SigningKey) -> bytes:
    return key.certificate.public_bytes(serialization.Encoding.PEM)


def token_secret(store: Store) -> bytes:
    secret = store.meta("token_secret")
    if not secret:
        secret = secrets.token_hex(32)
        store.set_meta("token_secret", secret)
    return bytes.fromhex(secret)
