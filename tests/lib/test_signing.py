"""sign_xml: what is signed, byte stability, namespaces, repeated signing, xmlsec1 agreement."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from datetime import datetime, timedelta, timezone

import pytest
import signing_fixtures as fx
from cryptography.hazmat.primitives import serialization
from lxml import etree

from hacienda_cr.errors import InputError
from hacienda_cr.signing import POLICY_V44, sign_xml, verify_xml

NS = {"ds": fx.DS_NS, "xades": fx.XADES_NS}


def _signature_bytes(original: bytes, signed: bytes) -> tuple[int, bytes]:
    """Where the (last) signature went and what it is, asserting nothing else changed."""
    start = signed.rfind(b"<ds:Signature ")
    end = signed.rfind(b"</ds:Signature>") + len(b"</ds:Signature>")
    assert 0 <= start < end
    assert signed[:start] + signed[end:] == original, "bytes outside the signature changed"
    return start, signed[start:end]


@pytest.mark.parametrize("name", sorted(fx.tinke_documents()))
def test_every_document_type_round_trips_through_our_verifier_and_xmlsec1(name, tmp_path):
    document = fx.tinke_documents()[name]
    signed = sign_xml(document, fx.signing_key())
    result = verify_xml(signed, trusted_certs=[fx.shared_test_ca().certificate])
    assert result.valid, result.errors
    assert result.taxpayer_id == ("02", "3101123456")
    assert result.policy_identifier == POLICY_V44.identifier
    fx.assert_xmlsec1_ok(signed, fx.shared_test_ca().certificate_pem(), tmp_path)


def test_output_is_the_input_with_one_signature_before_the_root_closing_tag():
    document = fx.tinke_documents()["factura-electronica"]
    signed = sign_xml(document, fx.signing_key())
    offset, signature = _signature_bytes(document, signed)
    assert document[offset:].startswith(b"</FacturaElectronica>")
    assert signature.startswith(b"<ds:Signature ") and signature.endswith(b"</ds:Signature>")
    assert signature.count(b"<ds:Signature ") == 1
    root = etree.fromstring(signed)
    assert root[-1].tag == f"{{{fx.DS_NS}}}Signature"


def test_signature_structure_follows_the_v44_profile():
    key = fx.signing_key()
    signed = sign_xml(fx.tinke_documents()["factura-electronica"], key)
    sig = etree.fromstring(signed).find("ds:Signature", NS)
    assert sig.find("ds:SignedInfo/ds:CanonicalizationMethod", NS).get("Algorithm") == (
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    )
    assert sig.find("ds:SignedInfo/ds:SignatureMethod", NS).get("Algorithm") == (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    )
    refs = sig.findall("ds:SignedInfo/ds:Reference", NS)
    assert [r.get("URI") for r in refs] == [
        "",
        "#" + sig.find("ds:KeyInfo", NS).get("Id"),
        "#" + sig.find(".//xades:SignedProperties", NS).get("Id"),
    ]
    assert [t.get("Algorithm") for t in refs[0].findall("ds:Transforms/ds:Transform", NS)] == [
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    ]
    assert refs[2].get("Type") == "http://uri.etsi.org/01903#SignedProperties"
    assert {r.find("ds:DigestMethod", NS).get("Algorithm") for r in refs} == {
        "http://www.w3.org/2001/04/xmlenc#sha256"
    }
    props = sig.find(".//xades:SignedProperties", NS)
    der = key.certificate.public_bytes(serialization.Encoding.DER)
    assert props.findtext(".//xades:CertDigest/ds:DigestValue", namespaces=NS) == (
        base64.b64encode(hashlib.sha256(der).digest()).decode()
    )
    assert props.findtext(".//ds:X509SerialNumber", namespaces=NS) == str(
        key.certificate.serial_number
    )
    assert props.findtext(".//xades:SigPolicyId/xades:Identifier", namespaces=NS) == (
        POLICY_V44.identifier
    )
    assert props.findtext(".//xades:SigPolicyHash/ds:DigestValue", namespaces=NS) == (
        "DWxin1xWOeI8OuWQXazh4VjLWAaCLAA954em7DMh0h8="
    )
    data_format = props.find(".//xades:DataObjectFormat", NS)
    assert data_format.get("ObjectReference") == "#" + refs[0].get("Id")
    assert data_format.findtext("xades:MimeType", namespaces=NS) == "text/xml"
    assert sig.find(".//xades:QualifyingProperties", NS).get("Target") == "#" + sig.get("Id")
    key_info = sig.find("ds:KeyInfo", NS)
    assert key_info.find("ds:X509Data/ds:X509Certificate", NS) is not None
    assert key_info.find("ds:KeyValue", NS) is None


def test_signing_time_is_the_call_time_in_costa_rica_and_changes_between_calls():
    document = fx.tinke_documents()["tiquete-electronico"]
    first = verify_xml(sign_xml(document, fx.signing_key()))
    time.sleep(1.05)
    second_signed = sign_xml(document, fx.signing_key())
    second = verify_xml(second_signed)
    assert first.signing_time < second.signing_time
    assert abs(second.signing_time - datetime.now(timezone.utc)) < timedelta(seconds=10)
    written = re.search(rb"<xades:SigningTime>([^<]+)<", second_signed).group(1).decode()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-06:00", written)


def test_explicit_signing_time_is_converted_to_costa_rica_time():
    document = fx.tinke_documents()["tiquete-electronico"]
    aware = datetime.now(timezone.utc).replace(microsecond=123456)
    signed = sign_xml(document, fx.signing_key(), signing_time=aware)
    written = re.search(rb"<xades:SigningTime>([^<]+)<", signed).group(1).decode()
    expected = (aware - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%S-06:00")
    assert written == expected
    naive_costa_rica = (datetime.now(timezone.utc) - timedelta(hours=6)).replace(
        tzinfo=None, microsecond=0
    )
    signed = sign_xml(document, fx.signing_key(), signing_time=naive_costa_rica)
    expected = naive_costa_rica.isoformat() + "-06:00"
    assert f"<xades:SigningTime>{expected}<".encode() in signed


def test_ids_are_unique_per_signature():
    document = fx.tinke_documents()["factura-electronica"]
    one, two = (sign_xml(document, fx.signing_key()) for _ in range(2))
    ids_one = re.findall(rb' Id="([^"]+)"', one)
    ids_two = re.findall(rb' Id="([^"]+)"', two)
    assert len(ids_one) == len(set(ids_one)) >= 4
    assert not set(ids_one) & set(ids_two)


NAMESPACE_VARIANTS = {
    "no xsi/xsd declarations": lambda d: d.replace(
        b' xmlns:xsd="http://www.w3.org/2001/XMLSchema"', b""
    ).replace(b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"', b""),
    "extra declarations incl. ds and a clashing xades": lambda d: d.replace(
        b"<FacturaElectronica ",
        b'<FacturaElectronica xmlns:ds="http://www.w3.org/2000/09/xmldsig#" '
        b'xmlns:xades="urn:not-xades" xmlns:zz="urn:unused" ',
        1,
    ),
    "xml:lang and xml:space on the root": lambda d: d.replace(
        b"<FacturaElectronica ", b'<FacturaElectronica xml:space="default" xml:lang="es-CR" ', 1
    ),
    "no XML declaration": lambda d: d[d.index(b"?>") + 2 :].lstrip(),
    "CRLF line ends and a CR character reference": lambda d: d.replace(b"\n", b"\r\n").replace(
        b"<Otros/>", b"<Otros><OtroTexto codigo=\"x\">a&#13;b\tc</OtroTexto></Otros>"
    ),
    "UTF-8 byte order mark": lambda d: b"\xef\xbb\xbf" + d,
    "comment and PI after the root": lambda d: d + b"<!-- after </FacturaElectronica> -->\n<?pi x?>\n",
    "prefixed root element": lambda d: re.sub(
        rb"<(/?)(?=[A-Z])", rb"<\1fe:", d.replace(b' xmlns="', b' xmlns:fe="', 1)
    ),
    "single quotes in the declaration": lambda d: d.replace(
        b'<?xml version="1.0" encoding="utf-8"?>', b"<?xml version='1.0' encoding='UTF-8'?>"
    ),
}


@pytest.mark.parametrize("variant", sorted(NAMESPACE_VARIANTS))
def test_namespace_and_serialization_variants(variant, tmp_path):
    document = NAMESPACE_VARIANTS[variant](fx.tinke_documents()["factura-electronica"])
    etree.fromstring(document)  # the variant itself is well-formed
    signed = sign_xml(document, fx.signing_key())
    _signature_bytes(document, signed)
    result = verify_xml(signed)
    assert result.valid, result.errors
    fx.assert_xmlsec1_ok(signed, fx.shared_test_ca().certificate_pem(), tmp_path)


def test_self_closing_root_gets_an_end_tag(tmp_path):
    document = b'<?xml version="1.0" encoding="UTF-8"?>\n<r:Root xmlns:r="urn:r" a="1" />\n'
    signed = sign_xml(document, fx.signing_key())
    assert signed.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<r:Root xmlns:r="urn:r" a="1" >')
    assert signed.endswith(b"</ds:Signature></r:Root>\n")
    assert verify_xml(signed).valid
    fx.assert_xmlsec1_ok(signed, fx.shared_test_ca().certificate_pem(), tmp_path)


def test_a_signed_document_gets_one_more_signature(tmp_path):
    document = fx.tinke_documents()["nota-credito-electronica"]
    once = sign_xml(document, fx.signing_key())
    twice = sign_xml(once, fx.second_signing_key())
    _offset, added = _signature_bytes(once, twice)
    assert added.startswith(b"<ds:Signature ")
    result = verify_xml(twice)
    assert result.valid, result.errors
    assert len(result.signatures) == 2
    assert result.signatures[1].taxpayer_id == ("01", "101230456")
    assert result.taxpayer_id == ("02", "3101123456")  # the first signature is the issuer's
    # The newest signature follows the standard enveloped-signature reading exactly:
    last_id = fx.signature_ids(twice)[-1].decode()
    fx.assert_xmlsec1_ok(twice, fx.shared_test_ca().certificate_pem(), tmp_path, "--node-id", last_id)


def test_signing_over_a_third_party_signature_keeps_it_verifiable(tmp_path):
    document = fx.third_party_samples()["crlibre"]
    signed = sign_xml(document, fx.signing_key())
    result = verify_xml(signed)
    assert result.valid, result.errors
    assert [s.taxpayer_id for s in result.signatures] == [("02", "3101234567"), ("02", "3101123456")]
    last_id = fx.signature_ids(signed)[-1].decode()
    fx.assert_xmlsec1_ok(signed, fx.shared_test_ca().certificate_pem(), tmp_path, "--node-id", last_id)


def test_ten_line_document_round_trip(tmp_path):
    signed = sign_xml(fx.ten_line_document(), fx.signing_key())
    assert verify_xml(signed).valid
    fx.assert_xmlsec1_ok(signed, fx.shared_test_ca().certificate_pem(), tmp_path)


def test_signed_document_still_validates_against_the_v44_xsd():
    schema_path = fx.shared_dir() / "xsd" / "v4.4" / "FacturaElectronica_V4.4.xsd"
    schema = etree.XMLSchema(etree.parse(str(schema_path)))
    signed = sign_xml(fx.tinke_documents()["factura-electronica"], fx.signing_key())
    schema.assertValid(etree.fromstring(signed))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"just text", "no root element"),
        (b"<a><b></a>", "not well-formed XML: Opening and ending tag mismatch"),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><a/>', "UTF-8"),
        (b'<?xml version="1.1"?><a/>', "version 1.0"),
        (b"\xff\xfe<\x00a\x00/\x00>\x00", "UTF-16"),
        (b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "DOCTYPE"),
        (b'<a xmlns:z="http://x/?a=1&amp;b=2"/>', "namespace URI containing '&'"),
        (b'<a xmlns="relative/uri"/>', "canonicalized"),
    ],
)
def test_bad_documents_are_refused_with_a_clear_message(document, message):
    with pytest.raises(InputError, match=re.escape(message)):
        sign_xml(document, fx.signing_key())


def test_malformed_xml_error_names_the_line():
    with pytest.raises(InputError, match=r"line 3"):
        sign_xml(b"<a>\n<b>\n</a>", fx.signing_key())


def test_text_and_non_key_inputs_are_refused():
    document = fx.tinke_documents()["factura-electronica"]
    with pytest.raises(InputError, match="bytes"):
        sign_xml(document.decode(), fx.signing_key())
    with pytest.raises(InputError, match="SigningKey"):
        sign_xml(document, "not a key")
    with pytest.raises(InputError, match="datetime"):
        sign_xml(document, fx.signing_key(), signing_time="2026-01-01")
