"""The taxpayer's signing key: loaded once, checked once, reused for every document.

Opening a .p12 costs tens of milliseconds (OpenSSL validates the RSA key); signing one
document costs well under one.  Everything a signature needs from the certificate (its
Base64 DER, digest, issuer name, serial) is computed here once.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timezone
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from hacienda_cr.errors import InputError, Issue
from hacienda_cr.signing import pkcs12_diagnosis
from hacienda_cr.signing.distinguished_names import rfc4514
from hacienda_cr.signing.taxpayer_ids import taxpayer_id_from_certificate

MIN_RSA_BITS = 2048
# Issue codes of the key problems a user can act on, so that an application can say them in
# its user's language (the messages stay the library's English).
KEY_PROBLEM_CODES = (
    "pkcs12_empty", "pkcs12_not_pkcs12", "pkcs12_wrong_pin", "pkcs12_damaged", "pkcs12_unreadable",
    "pkcs12_no_key", "pkcs12_no_certificate", "key_not_rsa", "key_too_short", "key_mismatch",
    "certificate_expired", "certificate_not_yet_valid",
)


def _key_problem(code: str, message: str) -> InputError:
    return InputError(Issue("", message, code=code))


@lru_cache(maxsize=256)
def certificate_validity(cert: x509.Certificate) -> tuple[datetime, datetime]:
    """(not_valid_before, not_valid_after) as aware UTC datetimes on any cryptography release.

    Cached: older releases decode the ASN.1 times again on every access.
    """
    before = getattr(cert, "not_valid_before_utc", None)
    after = getattr(cert, "not_valid_after_utc", None)
    if before is None or after is None:  # cryptography < 42
        before = cert.not_valid_before.replace(tzinfo=timezone.utc)
        after = cert.not_valid_after.replace(tzinfo=timezone.utc)
    return before, after


def _utc_text(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def describe_certificate(cert: x509.Certificate) -> str:
    return rfc4514(cert.subject) or "(empty subject)"


class SigningKey:
    """An RSA private key with its X.509 certificate (and the CA chain from the .p12)."""

    __slots__ = (
        "_cert_b64",
        "_cert_sha256_b64",
        "_issuer_name",
        "_private_key",
        "_serial_text",
        "certificate",
        "chain",
        "not_valid_after",
        "not_valid_before",
        "taxpayer_id",
    )

    def __init__(self, private_key, certificate, chain=()):
        if not isinstance(certificate, x509.Certificate):
            raise InputError(
                f"expected an X.509 certificate, got {type(certificate).__name__}"
            )
        if not isinstance(private_key, rsa.RSAPrivateKey):
            kind = type(private_key).__name__.lstrip("_")
            raise _key_problem(
                "key_not_rsa",
                f"the private key is not an RSA key ({kind}); Hacienda signatures are RSA-SHA256",
            )
        if private_key.key_size < MIN_RSA_BITS:
            raise _key_problem(
                "key_too_short",
                f"the RSA key has {private_key.key_size} bits; at least {MIN_RSA_BITS} are required",
            )
        cert_key = certificate.public_key()
        if not isinstance(cert_key, rsa.RSAPublicKey) or (
            cert_key.public_numbers() != private_key.public_key().public_numbers()
        ):
            raise _key_problem(
                "key_mismatch",
                "the private key does not belong to the certificate "
                f"({describe_certificate(certificate)})",
            )
        self._private_key = private_key
        self.certificate = certificate
        self.chain = tuple(c for c in chain if isinstance(c, x509.Certificate))
        self.not_valid_before, self.not_valid_after = certificate_validity(certificate)
        self.taxpayer_id = taxpayer_id_from_certificate(certificate)
        der = certificate.public_bytes(serialization.Encoding.DER)
        self._cert_b64 = base64.b64encode(der).decode("ascii")
        self._cert_sha256_b64 = base64.b64encode(hashlib.sha256(der).digest()).decode("ascii")
        self._issuer_name = rfc4514(certificate.issuer)
        self._serial_text = str(certificate.serial_number)

    # -- loading -----------------------------------------------------------------------

    @classmethod
    def from_pkcs12(cls, data: bytes, pin: str) -> SigningKey:
        """The .p12 file and PIN Hacienda (ATV/TRIBU-CR) issues to the taxpayer."""
        if isinstance(data, (bytearray, memoryview)):
            data = bytes(data)
        if not isinstance(data, bytes):
            raise InputError(f"the PKCS#12 data must be bytes, got {type(data).__name__}")
        if isinstance(pin, bytes):
            pin = pin.decode("utf-8")
        if not isinstance(pin, str):
            raise InputError(f"the certificate PIN must be a string, got {type(pin).__name__}")
        if not data:
            raise _key_problem("pkcs12_empty", "the PKCS#12 (.p12) file is empty")
        try:
            private_key, certificate, extra = pkcs12.load_key_and_certificates(
                data, pin.encode("utf-8") if pin else None
            )
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise _key_problem(*_pkcs12_failure(data, pin, exc)) from None
        if private_key is None:
            raise _key_problem("pkcs12_no_key", "the PKCS#12 (.p12) file holds no private key")
        if certificate is None:
            raise _key_problem(
                "pkcs12_no_certificate", "the PKCS#12 (.p12) file holds no certificate for its private key"
            )
        return cls(private_key, certificate, extra or ())

    @classmethod
    def from_pem(cls, key_pem: bytes, cert_pem: bytes, password: bytes | None = None) -> SigningKey:
        if isinstance(password, str):
            password = password.encode("utf-8")
        try:
            private_key = serialization.load_pem_private_key(key_pem, password=password)
        except TypeError as exc:  # password given for a plain key or missing for an encrypted one
            raise InputError(f"the private key PEM could not be opened: {exc}") from None
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise InputError(
                "the private key PEM could not be read (wrong password, or not a PEM "
                f"private key): {exc}"
            ) from None
        try:
            certs = x509.load_pem_x509_certificates(cert_pem)  # cryptography >= 39
        except AttributeError:
            certs = _load_pem_certificates_one_by_one(cert_pem)
        except ValueError as exc:
            raise InputError(f"the certificate PEM could not be read: {exc}") from None
        if not certs:
            raise InputError("the certificate PEM holds no certificate")
        return cls(private_key, certs[0], certs[1:])

    @classmethod
    def from_objects(cls, private_key, certificate, chain=()) -> SigningKey:
        return cls(private_key, certificate, chain)

    # -- use ---------------------------------------------------------------------------

    def check_usable(self, at: datetime | None = None) -> None:
        """Raise InputError if the certificate is not valid at ``at`` (default: now)."""
        if at is None:
            at = datetime.now(timezone.utc)
        elif at.tzinfo is None:
            raise InputError("check_usable needs an aware datetime (with a UTC offset)")
        if at > self.not_valid_after:
            raise _key_problem(
                "certificate_expired",
                f"the certificate expired on {_utc_text(self.not_valid_after)} "
                f"({describe_certificate(self.certificate)})",
            )
        if at < self.not_valid_before:
            raise _key_problem(
                "certificate_not_yet_valid",
                f"the certificate is not valid before {_utc_text(self.not_valid_before)} "
                f"({describe_certificate(self.certificate)})",
            )

    def sign_rsa_sha256(self, data: bytes) -> bytes:
        return self._private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    @property
    def private_key(self):
        return self._private_key

    def __repr__(self) -> str:
        return (
            f"<SigningKey {describe_certificate(self.certificate)} "
            f"valid until {_utc_text(self.not_valid_after)}>"
        )


def _load_pem_certificates_one_by_one(cert_pem: bytes) -> list[x509.Certificate]:
    marker_begin, marker_end = b"-----BEGIN CERTIFICATE-----", b"-----END CERTIFICATE-----"
    certs, pos = [], 0
    while True:
        start = cert_pem.find(marker_begin, pos)
        if start < 0:
            return certs
        end = cert_pem.find(marker_end, start)
        if end < 0:
            raise InputError("the certificate PEM is truncated (no END CERTIFICATE line)")
        end += len(marker_end)
        try:
            certs.append(x509.load_pem_x509_certificate(cert_pem[start:end]))
        except ValueError as exc:
            raise InputError(f"the certificate PEM could not be read: {exc}") from None
        pos = end


def _pkcs12_failure(data: bytes, pin: str, exc: Exception) -> tuple[str, str]:
    """(issue code, message) of a .p12 that did not open."""
    if not pkcs12_diagnosis.looks_like_pkcs12(data):
        return "pkcs12_not_pkcs12", "the file is not a PKCS#12 (.p12/.pfx) certificate file, or it is truncated"
    verdict = pkcs12_diagnosis.pin_matches(data, pin)
    if verdict is False:
        return "pkcs12_wrong_pin", "the certificate PIN is wrong"
    if verdict is True:
        return "pkcs12_damaged", (
            "the PIN is right but the PKCS#12 (.p12) file could not be decrypted: it is "
            f"damaged or uses an algorithm this OpenSSL build does not support ({exc})"
        )
    return "pkcs12_unreadable", "the PKCS#12 (.p12) file could not be opened: the PIN is wrong or the file is damaged"
