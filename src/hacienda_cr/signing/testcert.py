"""Test certificates shaped like the ones Hacienda issues to taxpayers.

A test CA named like BCCR's issuing CAs with a "(TEST)" suffix ("CA SINPE - PERSONA
JURIDICA v2 (TEST)" for cédulas jurídicas and NITE, "CA SINPE - PERSONA FISICA v2 (TEST)"
for the rest) issues an RSA-2048 certificate whose subject carries C=CR, O=PERSONA
JURIDICA|PERSONA FISICA, OU=CPJ|CPF|DIMEX|NITE|EXT|NC, the taxpayer id in serialNumber
(see ``taxpayer_ids``) and the holder's name in CN.  The PKCS#12 holds the key, the
certificate and the CA certificate, protected by the PIN, like the .p12 from ATV.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hacienda_cr.errors import InputError
from hacienda_cr.signing.keys import certificate_validity
from hacienda_cr.signing.taxpayer_ids import (
    ID_TYPES,
    SERIAL_PREFIX,
    certificate_serial_number,
    validate_taxpayer_id,
)

JURIDICA = "JURIDICA"
FISICA = "FISICA"
_JURIDICA_TYPES = ("02", "04")
MAX_DAYS = 20 * 366
CA_DAYS = MAX_DAYS + 2


def ca_kind_for(id_type: str) -> str:
    return JURIDICA if id_type in _JURIDICA_TYPES else FISICA


def _new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class TestCA:
    """A test issuing CA: its certificate and private key."""

    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey

    __test__ = False  # not a pytest test class despite the name

    @classmethod
    def generate(
        cls, kind: str = JURIDICA, *, days: int = CA_DAYS, not_before: datetime | None = None
    ) -> TestCA:
        if kind not in (JURIDICA, FISICA):
            raise InputError(f"the test CA kind must be {JURIDICA!r} or {FISICA!r}, not {kind!r}")
        key = _new_rsa_key()
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CR"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "BANCO CENTRAL DE COSTA RICA"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "DIVISION SISTEMAS DE PAGO"),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, "CPJ-4-000-004017"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"CA SINPE - PERSONA {kind} v2 (TEST)"),
            ]
        )
        now = datetime.now(timezone.utc).replace(microsecond=0)
        start = min(now, not_before or now) - timedelta(days=1)
        public = key.public_key()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(key, hashes.SHA256())
        )
        return cls(cert, key)

    @classmethod
    def from_pem(cls, cert_pem: bytes, key_pem: bytes, password: bytes | None = None) -> TestCA:
        try:
            cert = x509.load_pem_x509_certificate(cert_pem)
        except ValueError as exc:
            raise InputError(f"the CA certificate PEM could not be read: {exc}") from None
        try:
            key = serialization.load_pem_private_key(key_pem, password=password)
        except (ValueError, TypeError) as exc:
            raise InputError(f"the CA private key PEM could not be read: {exc}") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise InputError("the CA private key is not an RSA key")
        if key.public_key().public_numbers() != cert.public_key().public_numbers():
            raise InputError("the CA private key does not belong to the CA certificate")
        return cls(cert, key)

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def private_key_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _as_ca(ca) -> TestCA:
    if isinstance(ca, TestCA):
        return ca
    if isinstance(ca, tuple) and len(ca) == 2:
        cert, key = ca
        if isinstance(cert, x509.Certificate) and isinstance(key, rsa.RSAPrivateKey):
            if key.public_key().public_numbers() != cert.public_key().public_numbers():
                raise InputError("the CA private key does not belong to the CA certificate")
            return TestCA(cert, key)
    raise InputError("ca must be a TestCA or a (certificate, RSA private key) pair")


def issue_test_certificate(
    id_type: str,
    id_number: str,
    *,
    name: str | None = None,
    days: int = 730,
    ca=None,
    not_before: datetime | None = None,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate, TestCA]:
    """Key, certificate and issuing CA; :func:`make_test_certificate` packs them in a .p12."""
    id_type, id_number = validate_taxpayer_id(id_type, id_number)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InputError(f"days must be a whole number from 1 to {MAX_DAYS}, not {days!r}")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise InputError("name must be a non-empty string")
    kind = ca_kind_for(id_type)
    holder = name.strip() if name else f"CONTRIBUYENTE DE PRUEBA {id_number}"
    if len(holder) > 64:
        raise InputError(f"name is {len(holder)} characters long; a certificate CN allows 64")
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"PERSONA {kind}"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, SERIAL_PREFIX[id_type]),
            x509.NameAttribute(
                NameOID.SERIAL_NUMBER, certificate_serial_number(id_type, id_number)
            ),
            x509.NameAttribute(NameOID.COMMON_NAME, holder),
        ]
    )
    start = (not_before or datetime.now(timezone.utc)).replace(microsecond=0)
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    start -= timedelta(minutes=5)  # tolerate small clock differences between machines
    if ca is None:
        issuer = TestCA.generate(kind, not_before=start)
    else:
        issuer = _as_ca(ca)
    ca_before, ca_after = certificate_validity(issuer.certificate)
    if start < ca_before or start + timedelta(days=days) > ca_after:
        raise InputError(
            "the requested validity falls outside the CA certificate's validity "
            f"({ca_before:%Y-%m-%d} to {ca_after:%Y-%m-%d}); ask for fewer days"
        )
    key = _new_rsa_key()
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.private_key.public_key()),
            critical=False,
        )
        .sign(issuer.private_key, hashes.SHA256())
    )
    return key, cert, issuer


def make_test_certificate(
    id_type: str,
    id_number: str,
    *,
    name: str | None = None,
    pin: str,
    days: int = 730,
    ca=None,
) -> bytes:
    """A PKCS#12 (.p12) with a Hacienda-like test certificate, its key and the CA cert.

    ``ca`` is a :class:`TestCA` (or a (certificate, key) pair) to issue several
    certificates from one CA; without it a new CA is generated for this certificate.
    """
    if not isinstance(pin, str) or not pin:
        raise InputError("pin must be a non-empty string")
    id_type, id_number = validate_taxpayer_id(id_type, id_number)
    key, cert, issuer = issue_test_certificate(id_type, id_number, name=name, days=days, ca=ca)
    return pack_pkcs12(key, cert, issuer, pin, friendly_name=f"{ID_TYPES[id_type]} {id_number}")


def pack_pkcs12(
    key: rsa.RSAPrivateKey, cert: x509.Certificate, ca: TestCA, pin: str, *, friendly_name: str
) -> bytes:
    """Key + certificate + CA certificate, encrypted with the PIN, like ATV's .p12."""
    if not isinstance(pin, str) or not pin:
        raise InputError("pin must be a non-empty string")
    return pkcs12.serialize_key_and_certificates(
        name=friendly_name.encode("utf-8"),
        key=key,
        cert=cert,
        cas=[ca.certificate],
        encryption_algorithm=serialization.BestAvailableEncryption(pin.encode("utf-8")),
    )
