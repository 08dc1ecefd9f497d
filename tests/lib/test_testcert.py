"""Test certificates: shape like Hacienda's, taxpayer ids in and out, input validation, CLI."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta, timezone

import pytest
import signing_fixtures as fx
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from hacienda_cr.cli import main
from hacienda_cr.errors import InputError
from hacienda_cr.signing import (
    SigningKey,
    TestCA,
    make_test_certificate,
    sign_xml,
    taxpayer_id_from_certificate,
    verify_xml,
)
from hacienda_cr.signing.taxpayer_ids import (
    certificate_serial_number,
    parse_serial_number,
    validate_taxpayer_id,
)
from hacienda_cr.signing.testcert import FISICA, issue_test_certificate


def _attribute(name: x509.Name, oid) -> str:
    return name.get_attributes_for_oid(oid)[0].value


def test_juridica_certificate_looks_like_hacienda_s():
    data = fx.juridica_p12()
    key, cert, extra = pkcs12.load_key_and_certificates(data, fx.PIN.encode())
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    assert _attribute(cert.subject, NameOID.COUNTRY_NAME) == "CR"
    assert _attribute(cert.subject, NameOID.ORGANIZATION_NAME) == "PERSONA JURIDICA"
    assert _attribute(cert.subject, NameOID.ORGANIZATIONAL_UNIT_NAME) == "CPJ"
    assert _attribute(cert.subject, NameOID.SERIAL_NUMBER) == "CPJ-3-101-123456"
    assert _attribute(cert.subject, NameOID.COMMON_NAME) == "EMPRESA DE PRUEBA SOCIEDAD ANONIMA"
    assert _attribute(cert.issuer, NameOID.COMMON_NAME) == "CA SINPE - PERSONA JURIDICA v2 (TEST)"
    assert [c.subject for c in extra] == [cert.issuer]
    assert cert.serial_number.bit_length() > 128
    assert taxpayer_id_from_certificate(cert) == ("02", "3101123456")
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment


def test_fisica_certificate_from_a_fresh_ca(tmp_path):
    data = make_test_certificate("01", "101230456", name="MARIA RODRIGUEZ", pin="9999", days=30)
    key = SigningKey.from_pkcs12(data, "9999")
    assert key.taxpayer_id == ("01", "101230456")
    cert = key.certificate
    assert _attribute(cert.subject, NameOID.SERIAL_NUMBER) == "CPF-01-0123-0456"
    assert _attribute(cert.subject, NameOID.ORGANIZATION_NAME) == "PERSONA FISICA"
    assert _attribute(cert.issuer, NameOID.COMMON_NAME) == "CA SINPE - PERSONA FISICA v2 (TEST)"
    assert 29 <= (key.not_valid_after - key.not_valid_before).days <= 30
    ca_pem = fx.pem(key.chain[0])
    signed = sign_xml(fx.tinke_documents()["tiquete-electronico"], key)
    assert verify_xml(signed, trusted_certs=[ca_pem]).valid
    fx.assert_xmlsec1_ok(signed, ca_pem, tmp_path)


def test_one_ca_issues_several_certificates():
    ca = fx.shared_test_ca()
    first = SigningKey.from_pkcs12(make_test_certificate("02", "3101000001", pin="1", ca=ca), "1")
    second = SigningKey.from_pkcs12(
        make_test_certificate("04", "1234567890", pin="1", ca=(ca.certificate, ca.private_key)), "1"
    )
    assert first.certificate.issuer == second.certificate.issuer == ca.certificate.subject
    assert first.certificate.serial_number != second.certificate.serial_number
    assert second.taxpayer_id == ("04", "1234567890")


@pytest.mark.parametrize(
    ("id_type", "number", "serial"),
    [
        ("01", "101230456", "CPF-01-0123-0456"),
        ("01", "702220333", "CPF-07-0222-0333"),
        ("02", "3101123456", "CPJ-3-101-123456"),
        ("03", "15581234567", "DIMEX-15581234567"),
        ("03", "155812345678", "DIMEX-155812345678"),
        ("04", "1234567890", "NITE-1234567890"),
        ("05", "P12345678", "EXT-P12345678"),
        ("06", "12345678901234567890", "NC-12345678901234567890"),
    ],
)
def test_serial_number_scheme_round_trips(id_type, number, serial):
    assert certificate_serial_number(id_type, number) == serial
    assert parse_serial_number(serial) == (id_type, number)


@pytest.mark.parametrize(
    ("id_type", "number", "field", "message"),
    [
        ("07", "123", "id_type", "not an identification type"),
        ("1", "101230456", "id_type", "not an identification type"),
        ("01", "10123045", "id_number", "9 digits"),
        ("01", "012304567", "id_number", "not starting with 0"),
        ("02", "310112345", "id_number", "10 digits"),
        ("02", "31011234567", "id_number", "10 digits"),
        ("03", "1234567890", "id_number", "11 or 12 digits"),
        ("03", "1234567890123", "id_number", "11 or 12 digits"),
        ("04", "123456789", "id_number", "10 digits"),
        ("04", "12345678AB", "id_number", "10 digits"),
        ("05", "A" * 21, "id_number", "1 to 20"),
        ("06", "", "id_number", "1 to 20"),
        ("05", "P-123 45", "id_number", "1 to 20"),
    ],
)
def test_invalid_taxpayer_ids_are_refused_naming_the_field(id_type, number, field, message):
    with pytest.raises(InputError, match=message) as error:
        validate_taxpayer_id(id_type, number)
    assert error.value.issues[0].path == field


def test_id_number_normalisation():
    assert validate_taxpayer_id("02", "3-101-123456") == ("02", "3101123456")
    assert validate_taxpayer_id("05", "p1234") == ("05", "P1234")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pin": ""}, "pin"),
        ({"pin": "1", "days": 0}, "days"),
        ({"pin": "1", "days": 99999}, "days"),
        ({"pin": "1", "name": "  "}, "name"),
        ({"pin": "1", "name": "X" * 65}, "64"),
        ({"pin": "1", "ca": "not a ca"}, "TestCA"),
    ],
)
def test_invalid_test_certificate_requests(kwargs, message):
    with pytest.raises(InputError, match=message):
        make_test_certificate("02", "3101123456", **kwargs)


def test_taxpayer_id_of_foreign_certificates():
    sample = x509.load_pem_x509_certificate(fx.third_party_cert_pem())
    assert taxpayer_id_from_certificate(sample) == ("02", "3101234567")
    homemade = fx.self_signed(fx.rsa_key(), common_name="HOMEMADE")
    assert taxpayer_id_from_certificate(homemade) == ("02", "3101999999")
    ca = TestCA.generate(FISICA)
    _key, cert, _ = issue_test_certificate("03", "155812345678", ca=ca)
    assert taxpayer_id_from_certificate(cert) == ("03", "155812345678")
    with pytest.raises(InputError):
        taxpayer_id_from_certificate("not a certificate")


def test_certificate_without_serial_number_has_no_taxpayer_id():
    assert taxpayer_id_from_certificate(fx.shared_test_ca().certificate) == ("02", "4000004017")
    key = fx.rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "solo nombre")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    assert taxpayer_id_from_certificate(cert) is None


def test_cli_testcert_writes_p12_pem_and_ca(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TEST_PIN", "2468")
    out = tmp_path / "empresa.p12"
    assert main(["testcert", "-o", str(out), "--pin-env", "TEST_PIN", "--id-type", "02",
                 "--id", "3101123456", "--name", "EMPRESA CLI S.A.", "--days", "90",
                 "--ca-out", str(tmp_path / "ca"), "--cert-out", str(tmp_path / "cert.pem")]) == 0
    assert "CPJ-3-101-123456" in capsys.readouterr().out
    key = SigningKey.from_pkcs12(out.read_bytes(), "2468")
    assert key.taxpayer_id == ("02", "3101123456")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "ca.key").stat().st_mode) == 0o600
    assert x509.load_pem_x509_certificate((tmp_path / "cert.pem").read_bytes()) == key.certificate
    # a second certificate from the same CA
    second = tmp_path / "fisica.p12"
    assert main(["testcert", "-o", str(second), "--pin-env", "TEST_PIN", "--id-type", "01",
                 "--id", "101230456", "--ca-cert", str(tmp_path / "ca.pem"),
                 "--ca-key", str(tmp_path / "ca.key")]) == 0
    other = SigningKey.from_pkcs12(second.read_bytes(), "2468")
    assert other.certificate.issuer == key.certificate.issuer
    signed = tmp_path / "signed.xml"
    signed.write_bytes(sign_xml(fx.tinke_documents()["factura-electronica"], other))
    assert main(["verify", "--trusted-pem", str(tmp_path / "ca.pem"), str(signed)]) == 0


def test_cli_testcert_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("UNSET_PIN_VAR", raising=False)
    base = ["testcert", "-o", str(tmp_path / "x.p12"), "--id-type", "02", "--id", "3101123456"]
    assert main([*base, "--pin-env", "UNSET_PIN_VAR"]) == 2
    assert "UNSET_PIN_VAR" in capsys.readouterr().err
    monkeypatch.setenv("TEST_PIN", "1")
    assert main([*base, "--pin-env", "TEST_PIN", "--ca-cert", str(tmp_path / "ca.pem")]) == 2
    assert "--ca-cert and --ca-key go together" in capsys.readouterr().err
    bad = ["testcert", "-o", str(tmp_path / "x.p12"), "--pin-env", "TEST_PIN",
           "--id-type", "01", "--id", "12345"]
    assert main(bad) == 2
    assert "id_number" in capsys.readouterr().err
    assert not (tmp_path / "x.p12").exists()
