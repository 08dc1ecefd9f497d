"""Is the signer one of the trusted certificates, or issued by one (through the chain)?"""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from hacienda_cr.errors import InputError

MAX_CHAIN = 6


def load_trusted(items) -> list[x509.Certificate]:
    """Certificates from Certificate objects, PEM bytes (one or more) or DER bytes."""
    certs: list[x509.Certificate] = []
    for item in items or ():
        if isinstance(item, x509.Certificate):
            certs.append(item)
        elif isinstance(item, (bytes, bytearray)):
            certs.extend(_certificates_from_bytes(bytes(item)))
        else:
            raise InputError(
                f"trusted_certs must hold X.509 certificates or PEM/DER bytes, "
                f"not {type(item).__name__}"
            )
    return certs


def _certificates_from_bytes(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN CERTIFICATE-----" in data:
        found, pos = [], 0
        end_marker = b"-----END CERTIFICATE-----"
        while True:
            start = data.find(b"-----BEGIN CERTIFICATE-----", pos)
            if start < 0:
                return found
            end = data.find(end_marker, start)
            if end < 0:
                raise InputError("a trusted certificate PEM is truncated")
            end += len(end_marker)
            try:
                found.append(x509.load_pem_x509_certificate(data[start:end]))
            except ValueError as exc:
                raise InputError(f"a trusted certificate PEM could not be read: {exc}") from None
            pos = end
    try:
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise InputError("a trusted certificate is neither PEM nor DER") from None


def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True if ``issuer``'s name and key made ``cert`` (the signature is checked)."""
    if cert.issuer != issuer.subject:
        return False
    key = issuer.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(
                cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(),
                cert.signature_hash_algorithm,
            )
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(
                cert.signature, cert.tbs_certificate_bytes,
                ec.ECDSA(cert.signature_hash_algorithm),
            )
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def chains_to(
    signer: x509.Certificate,
    trusted: list[x509.Certificate],
    intermediates: list[x509.Certificate],
) -> bool:
    """The signer is trusted, or a chain through ``intermediates`` reaches a trusted cert."""
    trusted_der = {_der(c) for c in trusted}
    current = signer
    seen: set[bytes] = set()
    for _ in range(MAX_CHAIN):
        der = _der(current)
        if der in trusted_der:
            return True
        if der in seen:
            return False
        seen.add(der)
        if any(issued_by(current, anchor) for anchor in trusted):
            return True
        parents = [c for c in intermediates if _der(c) not in seen and issued_by(current, c)]
        if not parents:
            return False
        current = parents[0]
    return False
