"""verify_xml: third-party signatures, what must be refused, trust, and the CLI."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
import signing_fixtures as fx
from cryptography import x509

from hacienda_cr.cli import main
from hacienda_cr.errors import InputError
from hacienda_cr.signing import SigningKey, sign_xml, verify_xml

CORRECT_POLICY = ("crlibre", "ticofac")
OLD_POLICY = ("dojo", "odoocr")


def _sample_cert() -> x509.Certificate:
    return x509.load_pem_x509_certificate(fx.third_party_cert_pem())


def _signed() -> bytes:
    return sign_xml(fx.tinke_documents()["factura-electronica"], fx.signing_key())


# -- third-party signatures ----------------------------------------------------------


@pytest.mark.parametrize("signer", CORRECT_POLICY + OLD_POLICY)
def test_third_party_signatures_are_cryptographically_valid(signer, tmp_path):
    data = fx.third_party_samples()[signer]
    result = verify_xml(data, trusted_certs=[_sample_cert()], require_v44_policy=False)
    assert result.valid, result.errors
    assert result.signatures[0].trusted is True
    assert result.taxpayer_id == ("02", "3101234567")
    assert result.signing_time is not None
    fx.assert_xmlsec1_ok(data, fx.third_party_cert_pem(), tmp_path)


@pytest.mark.parametrize("signer", CORRECT_POLICY)
def test_v44_signers_pass_the_policy_check(signer):
    result = verify_xml(fx.third_party_samples()[signer])
    assert result.valid, result.errors
    assert result.policy_identifier.endswith("para_efectos_tributarios.pdf")


@pytest.mark.parametrize("signer", OLD_POLICY)
def test_old_policy_signers_are_reported(signer):
    result = verify_xml(fx.third_party_samples()[signer], require_v44_policy=True)
    assert not result.valid
    assert any("not Hacienda's v4.4 policy" in e for e in result.errors), result.errors
    assert "v4." in result.policy_identifier and "2016" in result.policy_identifier
    lenient = verify_xml(fx.third_party_samples()[signer], require_v44_policy=False)
    assert any("v4.4 policy" in w for w in lenient.warnings)


@pytest.mark.parametrize("signer", CORRECT_POLICY + OLD_POLICY)
def test_third_party_signature_fails_after_a_one_character_change(signer, tmp_path):
    data = fx.third_party_samples()[signer]
    changed = data.replace(b"<Codigo>04</Codigo>", b"<Codigo>05</Codigo>", 1)
    assert changed != data
    result = verify_xml(changed, require_v44_policy=False)
    assert not result.valid
    assert any("changed after signing" in e for e in result.errors), result.errors
    assert fx.xmlsec1(changed, fx.third_party_cert_pem(), tmp_path).returncode != 0


@pytest.mark.parametrize("signer", CORRECT_POLICY + OLD_POLICY)
def test_unrelated_trusted_certificate_is_not_trust(signer, tmp_path):
    """The KeyValue trust trap: trust must come from the certificate, not a bare key."""
    data = fx.third_party_samples()[signer]
    unrelated = fx.shared_test_ca().certificate
    result = verify_xml(data, trusted_certs=[unrelated], require_v44_policy=False)
    assert not result.valid
    assert result.signatures[0].trusted is False
    assert any("not one of the trusted certificates" in e for e in result.errors)
    assert fx.xmlsec1(data, fx.pem(unrelated), tmp_path).returncode != 0


# -- what must be refused ---------------------------------------------------------------


def test_our_signature_is_valid_and_trusted_through_its_ca():
    signed = _signed()
    ca = fx.shared_test_ca()
    assert verify_xml(signed, trusted_certs=[ca.certificate]).signatures[0].trusted is True
    assert verify_xml(signed, trusted_certs=[ca.certificate_pem()]).valid
    assert verify_xml(signed, trusted_certs=[fx.signing_key().certificate]).valid
    assert verify_xml(signed).signatures[0].trusted is None


def test_document_without_signature():
    result = verify_xml(fx.tinke_documents()["factura-electronica"])
    assert not result.valid
    assert result.errors == ["the document carries no signature (ds:Signature)"]
    assert result.signer is None


def test_changed_xml_declaration_is_detected():
    signed = _signed()
    assert verify_xml(signed.replace(b'version="1.0"', b'version="1.1"', 1)).errors[0].startswith(
        "the XML declaration"
    )
    latin = signed.replace(b'encoding="utf-8"', b'encoding="ISO-8859-1"', 1)
    assert any("UTF-8" in e for e in verify_xml(latin).errors)


def test_text_or_comment_in_unsigned_parts_of_the_signature_is_refused():
    signed = _signed()
    with_text = signed.replace(b"</ds:SignatureValue>", b"</ds:SignatureValue>extra", 1)
    assert any("only elements belong" in e for e in verify_xml(with_text).errors)
    with_comment = signed.replace(b"<ds:Object>", b"<ds:Object><!-- x -->", 1)
    assert any("comment" in e for e in verify_xml(with_comment).errors)
    with_attribute = signed.replace(b"<ds:Object>", b'<ds:Object Foo="1">', 1)
    assert any("unexpected attribute" in e for e in verify_xml(with_attribute).errors)


def test_duplicate_ids_make_references_ambiguous():
    signed = _signed()
    properties_id = re.search(rb'<xades:SignedProperties Id="([^"]+)"', signed).group(1)
    wrapped = signed.replace(
        b"</ds:Object>", b'</ds:Object><ds:Object Id="' + properties_id + b'"></ds:Object>', 1
    )
    result = verify_xml(wrapped)
    assert not result.valid
    assert any("ambiguous" in e for e in result.errors), result.errors


def test_document_reference_without_enveloped_transform_is_explained():
    signed = re.sub(rb"<ds:Transforms>.*?</ds:Transforms>", b"", _signed(), count=1)
    result = verify_xml(signed)
    assert any("does not leave the signature out" in e for e in result.errors), result.errors


def test_keyvalue_must_be_the_certificates_key():
    data = fx.third_party_samples()["dojo"]  # its KeyInfo is not covered by a digest
    other = fx.rsa_key().public_key().public_numbers()
    modulus = other.n.to_bytes((other.n.bit_length() + 7) // 8, "big")
    key_value = (
        b"<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>" + base64.b64encode(modulus)
        + b"</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>"
    )
    tampered = data.replace(b"</ds:X509Data>", b"</ds:X509Data>" + key_value, 1)
    result = verify_xml(tampered, require_v44_policy=False)
    assert any("KeyValue" in e for e in result.errors), result.errors


def test_bare_keyvalue_is_not_enough():
    data = fx.third_party_samples()["crlibre"]
    stripped = re.sub(rb"<ds:X509Data>.*?</ds:X509Data>", b"", data, flags=re.S)
    result = verify_xml(stripped)
    assert any("bare KeyValue" in e for e in result.errors), result.errors


def test_signing_time_outside_the_certificate_validity(monkeypatch):
    key = fx.signing_key()
    monkeypatch.setattr(SigningKey, "check_usable", lambda self, at=None: None)
    late = key.not_valid_after.replace(microsecond=0) + timedelta(days=2)
    signed = sign_xml(fx.tinke_documents()["factura-electronica"], key, signing_time=late)
    result = verify_xml(signed)
    assert any("outside the certificate's validity" in e for e in result.errors), result.errors


def test_tampering_with_the_first_of_two_signatures_is_detected():
    twice = sign_xml(_signed(), fx.second_signing_key())
    first_value = re.search(rb"<ds:SignatureValue>([^<]{10})", twice).group(1)
    flipped = first_value[:-1] + (b"A" if first_value[-1:] != b"A" else b"B")
    tampered = twice.replace(first_value, flipped, 1)
    result = verify_xml(tampered)
    first, second = result.signatures
    assert any("SignatureValue does not match" in e for e in first.errors), first.errors
    # the second signature covers the first one, so it breaks too
    assert any("changed after signing" in e for e in second.errors), second.errors
    assert any(e.startswith("signature 1 of 2: ") for e in result.errors)


def test_changing_the_document_breaks_every_signature():
    twice = sign_xml(_signed(), fx.second_signing_key())
    changed = twice.replace(b"<Codigo>04</Codigo>", b"<Codigo>05</Codigo>", 1)
    assert changed != twice
    result = verify_xml(changed)
    assert not result.signatures[0].valid and not result.signatures[1].valid


def test_result_as_dict_is_json():
    result = verify_xml(_signed(), trusted_certs=[fx.shared_test_ca().certificate])
    data = json.loads(json.dumps(result.as_dict()))
    assert data["valid"] is True
    assert data["taxpayer_id"] == {"id_type": "02", "id_number": "3101123456"}
    assert data["signatures"][0]["trusted"] is True
    assert data["signer"]["serial_number"] == str(fx.signing_key().certificate.serial_number)


@pytest.mark.parametrize("data", [b"", b"<a>", b"text"])
def test_unreadable_input_raises(data):
    with pytest.raises(InputError):
        verify_xml(data)


# -- CLI -----------------------------------------------------------------------------


def test_cli_sign_and_verify(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SIGNING_PIN", fx.PIN)
    (tmp_path / "cert.p12").write_bytes(fx.juridica_p12())
    (tmp_path / "doc.xml").write_bytes(fx.tinke_documents()["factura-electronica"])
    (tmp_path / "ca.pem").write_bytes(fx.shared_test_ca().certificate_pem())
    sign = ["sign", str(tmp_path / "doc.xml"), "--p12", str(tmp_path / "cert.p12"),
            "--pin-env", "SIGNING_PIN", "-o", str(tmp_path / "signed.xml")]
    when = (datetime.now(timezone.utc) - timedelta(hours=6)).replace(microsecond=0, tzinfo=None)
    assert main([*sign, "--signing-time", when.isoformat()]) == 0
    assert f">{when.isoformat()}-06:00<".encode() in (tmp_path / "signed.xml").read_bytes()
    # before the certificate existed: refused, nothing written
    (tmp_path / "signed.xml").unlink()
    assert main([*sign, "--signing-time", "2020-01-01T10:00:00-06:00"]) == 2
    assert "not valid before" in capsys.readouterr().err
    assert not (tmp_path / "signed.xml").exists()
    assert main(sign) == 0
    signed = (tmp_path / "signed.xml").read_bytes()
    assert verify_xml(signed).valid
    capsys.readouterr()
    assert main(["verify", str(tmp_path / "signed.xml"), "--trusted-pem", str(tmp_path / "ca.pem")]) == 0
    assert capsys.readouterr().out.strip().endswith("valid")
    assert main(["verify", "--json", str(tmp_path / "signed.xml")]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    (tmp_path / "bad.xml").write_bytes(signed.replace(b"<Codigo>04<", b"<Codigo>05<", 1))
    assert main(["verify", str(tmp_path / "bad.xml")]) == 1
    assert "changed after signing" in capsys.readouterr().err


def test_cli_verify_exit_codes_for_policies_and_bad_input(tmp_path, capsys):
    dojo = tmp_path / "dojo.xml"
    dojo.write_bytes(fx.third_party_samples()["dojo"])
    assert main(["verify", str(dojo)]) == 1
    assert "policy" in capsys.readouterr().err
    assert main(["verify", "--allow-old-policy", str(dojo)]) == 0
    (tmp_path / "broken.xml").write_bytes(b"<a><b></a>")
    assert main(["verify", str(tmp_path / "broken.xml")]) == 2
    assert "not well-formed" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "missing.xml")]) == 2


def test_cli_sign_errors(tmp_path, monkeypatch, capsys):
    (tmp_path / "cert.p12").write_bytes(fx.juridica_p12())
    (tmp_path / "doc.xml").write_bytes(fx.tinke_documents()["factura-electronica"])
    base = ["sign", str(tmp_path / "doc.xml"), "--p12", str(tmp_path / "cert.p12"),
            "-o", str(tmp_path / "out.xml")]
    monkeypatch.delenv("NO_SUCH_PIN_VAR", raising=False)
    assert main([*base, "--pin-env", "NO_SUCH_PIN_VAR"]) == 2
    assert "NO_SUCH_PIN_VAR is not set" in capsys.readouterr().err
    monkeypatch.setenv("EMPTY_PIN", "")
    assert main([*base, "--pin-env", "EMPTY_PIN"]) == 2
    monkeypatch.setenv("WRONG_PIN", "0000")
    assert main([*base, "--pin-env", "WRONG_PIN"]) == 2
    assert "the certificate PIN is wrong" in capsys.readouterr().err
    monkeypatch.setenv("GOOD_PIN", fx.PIN)
    assert main([*base, "--pin-env", "GOOD_PIN", "--signing-time", "yesterday"]) == 2
    assert "--signing-time" in capsys.readouterr().err
    assert not (tmp_path / "out.xml").exists()
