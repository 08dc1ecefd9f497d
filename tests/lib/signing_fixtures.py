"""Helpers shared by the signing, verification and test-certificate tests.

Keys are generated once per test process (RSA-2048 generation is slow) and shared.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from hacienda_cr.signing import SigningKey, make_test_certificate
from hacienda_cr.signing.testcert import JURIDICA, TestCA, issue_test_certificate

PIN = "4321"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
XADES_NS = "http://uri.etsi.org/01903/v1.3.2#"


def shared_dir() -> Path:
    default = Path(__file__).resolve().parents[2].parent / "shared" / "hacienda"
    return Path(os.environ.get("HACIENDA_SHARED_DIR") or default)


def samples_dir() -> Path:
    path = shared_dir() / "samples"
    if not path.is_dir():
        pytest.fail(f"Hacienda samples not found at {path}: set HACIENDA_SHARED_DIR")
    return path


def tinke_documents() -> dict[str, bytes]:
    """The tinke-labs v4.4 examples with their dummy signatures removed."""
    folder = samples_dir() / "tinke-labs"
    return {p.stem: strip_signature(p.read_bytes()) for p in sorted(folder.glob("*.xml"))}


def third_party_samples() -> dict[str, bytes]:
    folder = samples_dir() / "third-party-signed"
    return {
        p.stem.rsplit("-by-", 1)[1]: p.read_bytes()
        for p in sorted(folder.glob("factura-10lines-signed-by-*.xml"))
    }


def third_party_cert_pem() -> bytes:
    return (samples_dir() / "third-party-signed" / "test-signer-cert.pem").read_bytes()


def strip_signature(data: bytes) -> bytes:
    """Remove the ds:Signature element (and its indentation line) from a sample's bytes."""
    start = data.find(b"<ds:Signature")
    if start < 0:
        return data
    end = data.index(b"</ds:Signature>", start) + len(b"</ds:Signature>")
    line_start = data.rfind(b"\n", 0, start) + 1
    if not data[line_start:start].strip():
        start = line_start
        if data[end : end + 1] == b"\n":
            end += 1
    return data[:start] + data[end:]


def ten_line_document() -> bytes:
    return strip_signature(third_party_samples()["crlibre"])


# -- keys ------------------------------------------------------------------------------


@functools.cache
def shared_test_ca() -> TestCA:
    return TestCA.generate(JURIDICA)


@functools.cache
def juridica_p12() -> bytes:
    return make_test_certificate(
        "02", "3101123456", name="EMPRESA DE PRUEBA SOCIEDAD ANONIMA", pin=PIN, ca=shared_test_ca()
    )


@functools.cache
def signing_key() -> SigningKey:
    return SigningKey.from_pkcs12(juridica_p12(), PIN)


@functools.cache
def second_signing_key() -> SigningKey:
    key, cert, _ = issue_test_certificate("01", "101230456", name="JUAN PEREZ", ca=shared_test_ca())
    return SigningKey.from_objects(key, cert)


@functools.cache
def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def self_signed(key, *, serial: int | None = None, not_before: datetime | None = None,
                days: int = 365, common_name: str = "PRUEBA") -> x509.Certificate:
    start = not_before or datetime.now(timezone.utc) - timedelta(minutes=5)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CR"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "CPJ-3-101-999999"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


# -- xmlsec1 -----------------------------------------------------------------------------

XMLSEC_ID_ATTRS = [
    "--id-attr:Id", f"{XADES_NS}:SignedProperties",
    "--id-attr:Id", f"{DS_NS}:KeyInfo",
    "--id-attr:Id", f"{DS_NS}:Signature",
]


def xmlsec1(signed: bytes, trusted_pem: bytes, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run Debian's xmlsec1 --verify trusting only ``trusted_pem`` (x509 key data only)."""
    exe = shutil.which("xmlsec1")
    if exe is None:
        pytest.fail(
            "xmlsec1 is not installed: the independent signature check needs it "
            "(apt-get install -y xmlsec1)"
        )
    doc = tmp_path / f"doc-{len(list(tmp_path.iterdir()))}.xml"
    doc.write_bytes(signed)
    ca = tmp_path / f"trusted-{len(list(tmp_path.iterdir()))}.pem"
    ca.write_bytes(trusted_pem)
    return subprocess.run(
        [exe, "--verify", "--trusted-pem", str(ca), "--enabled-key-data", "x509",
         *XMLSEC_ID_ATTRS, *extra, str(doc)],
        capture_output=True, text=True, timeout=60,
    )


def assert_xmlsec1_ok(signed: bytes, trusted_pem: bytes, tmp_path: Path, *extra: str) -> None:
    result = xmlsec1(signed, trusted_pem, tmp_path, *extra)
    assert result.returncode == 0, f"xmlsec1 rejected the signature:\n{result.stderr[-2000:]}"


def signature_ids(signed: bytes) -> list[str]:
    return re.findall(rb'<ds:Signature[^>]* Id="([^"]+)"', signed)
