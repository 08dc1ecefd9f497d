"""SigningKey: loading the taxpayer's .p12/PEM and the clear errors for every bad key."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
import signing_fixtures as fx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12

from hacienda_cr.errors import InputError
from hacienda_cr.signing import SigningKey, sign_xml, verify_xml
from hacienda_cr.signing.pkcs12_diagnosis import looks_like_pkcs12, pin_matches


def _document() -> bytes:
    return fx.tinke_documents()["factura-electronica"]


def test_pkcs12_loads_key_certificate_chain_and_taxpayer_id():
    key = SigningKey.from_pkcs12(fx.juridica_p12(), fx.PIN)
    assert key.taxpayer_id == ("02", "3101123456")
    assert key.not_valid_after.tzinfo is not None
    assert key.not_valid_after > datetime.now(timezone.utc) + timedelta(days=700)
    assert [c.subject for c in key.chain] == [fx.shared_test_ca().certificate.subject]
    key.check_usable()
    assert "CPJ-3-101-123456" in repr(key)


def test_wrong_pin_is_named_as_such():
    with pytest.raises(InputError) as error:
        SigningKey.from_pkcs12(fx.juridica_p12(), "0000")
    assert str(error.value) == "the certificate PIN is wrong"
    assert [issue.code for issue in error.value.issues] == ["pkcs12_wrong_pin"]


def test_empty_pin_on_a_protected_file_is_a_wrong_pin():
    with pytest.raises(InputError, match="PIN"):
        SigningKey.from_pkcs12(fx.juridica_p12(), "")


@pytest.mark.parametrize(
    "data",
    [b"not a certificate", b"\x30\x03\x02\x01\x03", b"-----BEGIN CERTIFICATE-----\nAAAA\n"],
)
def test_not_a_pkcs12_file(data):
    with pytest.raises(InputError, match=r"not a PKCS#12 \(\.p12/\.pfx\) certificate file") as error:
        SigningKey.from_pkcs12(data, fx.PIN)
    assert [issue.code for issue in error.value.issues] == ["pkcs12_not_pkcs12"]


def test_truncated_pkcs12_file():
    data = fx.juridica_p12()
    assert looks_like_pkcs12(data)
    with pytest.raises(InputError, match="truncated"):
        SigningKey.from_pkcs12(data[: len(data) // 2], fx.PIN)


def test_damaged_pkcs12_content_is_reported_not_crashed():
    data = bytearray(fx.juridica_p12())
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(InputError, match=r"PIN is wrong|damaged|not a PKCS#12"):
        SigningKey.from_pkcs12(bytes(data), fx.PIN)


def test_empty_file_and_wrong_types():
    with pytest.raises(InputError, match="empty") as error:
        SigningKey.from_pkcs12(b"", fx.PIN)
    assert error.value.issues[0].code == "pkcs12_empty"
    with pytest.raises(InputError, match="bytes"):
        SigningKey.from_pkcs12("text", fx.PIN)


def test_mac_check_recognises_right_and_wrong_pins():
    data = fx.juridica_p12()
    assert pin_matches(data, fx.PIN) is True
    assert pin_matches(data, "1234") is False
    assert pin_matches(b"garbage", fx.PIN) is None


@pytest.mark.parametrize(
    "options",
    [
        ["-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"],
        ["-macalg", "sha256"],
    ],
    ids=["3des-sha1-mac (ATV style)", "openssl default"],
)
def test_pkcs12_made_by_openssl(options, tmp_path):
    assert shutil.which("openssl"), "the openssl command is needed (Debian package openssl)"
    key, cert, ca = fx.issue_test_certificate("02", "3101654321", ca=fx.shared_test_ca())
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp_path / "cert.pem").write_bytes(fx.pem(cert))
    (tmp_path / "ca.pem").write_bytes(ca.certificate_pem())
    subprocess.run(
        ["openssl", "pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem",
         "-certfile", "ca.pem", "-passout", "pass:9876", "-out", "x.p12", *options],
        cwd=tmp_path, check=True, capture_output=True,
    )
    data = (tmp_path / "x.p12").read_bytes()
    loaded = SigningKey.from_pkcs12(data, "9876")
    assert loaded.taxpayer_id == ("02", "3101654321")
    with pytest.raises(InputError, match=r"^the certificate PIN is wrong$"):
        SigningKey.from_pkcs12(data, "9875")


def test_pkcs12_without_private_key():
    data = pkcs12.serialize_key_and_certificates(
        b"only-cert", None, fx.signing_key().certificate, None,
        serialization.BestAvailableEncryption(b"1111"),
    )
    with pytest.raises(InputError, match="no private key") as error:
        SigningKey.from_pkcs12(data, "1111")
    assert error.value.issues[0].code == "pkcs12_no_key"


def test_expired_certificate():
    key = fx.rsa_key()
    cert = fx.self_signed(key, not_before=datetime.now(timezone.utc) - timedelta(days=400), days=30)
    signing_key = SigningKey.from_objects(key, cert)
    with pytest.raises(InputError, match=r"^the certificate expired on \d{4}-\d\d-\d\d ") as error:
        signing_key.check_usable()
    assert error.value.issues[0].code == "certificate_expired"
    with pytest.raises(InputError, match="expired on"):
        sign_xml(_document(), signing_key)


def test_certificate_not_yet_valid():
    key = fx.rsa_key()
    cert = fx.self_signed(key, not_before=datetime.now(timezone.utc) + timedelta(days=3))
    with pytest.raises(InputError, match="not valid before") as error:
        sign_xml(_document(), SigningKey.from_objects(key, cert))
    assert error.value.issues[0].code == "certificate_not_yet_valid"


@pytest.mark.parametrize("bits", [128, 159, 160])
def test_long_serial_numbers(bits, tmp_path):
    serial = (1 << (bits - 1)) + 12345
    if bits == 160:  # RFC 5280's limit is 20 octets; keep the top bit clear for DER
        serial = (1 << 158) | 1
    key = fx.rsa_key()
    cert = fx.self_signed(key, serial=serial)
    signed = sign_xml(_document(), SigningKey.from_objects(key, cert))
    assert f"<ds:X509SerialNumber>{serial}</ds:X509SerialNumber>".encode() in signed
    assert verify_xml(signed, trusted_certs=[cert]).valid
    fx.assert_xmlsec1_ok(signed, fx.pem(cert), tmp_path)


def test_not_rsa_keys_are_refused_everywhere():
    key = ec.generate_private_key(ec.SECP256R1())
    cert = fx.self_signed(key)
    with pytest.raises(InputError, match="not an RSA key"):
        SigningKey.from_objects(key, cert)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(InputError, match="not an RSA key"):
        SigningKey.from_pem(key_pem, fx.pem(cert))
    p12 = pkcs12.serialize_key_and_certificates(
        b"ec", key, cert, None, serialization.BestAvailableEncryption(b"2222")
    )
    with pytest.raises(InputError, match="not an RSA key"):
        SigningKey.from_pkcs12(p12, "2222")


def test_small_rsa_key_is_refused():
    key = fx.rsa_key(1024)
    with pytest.raises(InputError, match="1024 bits"):
        SigningKey.from_objects(key, fx.self_signed(key))


def test_key_that_does_not_belong_to_the_certificate():
    with pytest.raises(InputError, match="does not belong to the certificate"):
        SigningKey.from_objects(fx.rsa_key(), fx.signing_key().certificate)


def test_pem_loading_with_and_without_password():
    key = fx.signing_key()
    cert_pem = fx.pem(key.certificate) + fx.pem(fx.shared_test_ca().certificate)
    plain = key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    loaded = SigningKey.from_pem(plain, cert_pem)
    assert loaded.taxpayer_id == ("02", "3101123456")
    assert len(loaded.chain) == 1
    encrypted = key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    assert SigningKey.from_pem(encrypted, cert_pem, password=b"secret").taxpayer_id
    with pytest.raises(InputError, match="private key PEM"):
        SigningKey.from_pem(encrypted, cert_pem, password=b"wrong")
    with pytest.raises(InputError, match="private key PEM"):
        SigningKey.from_pem(encrypted, cert_pem)
    with pytest.raises(InputError, match="private key PEM"):
        SigningKey.from_pem(b"garbage", cert_pem)
    with pytest.raises(InputError, match="certificate PEM"):
        SigningKey.from_pem(plain, b"no certificate here")


def test_check_usable_wants_an_aware_datetime():
    with pytest.raises(InputError, match="aware"):
        fx.signing_key().check_usable(datetime(2026, 1, 1))
