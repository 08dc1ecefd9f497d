"""verify_xml on hostile input: it answers, promptly and with a refusal, whatever it is given.

The two stalls these tests reproduce are bounded by the tests themselves: verification runs
in a child process that is killed after a generous limit, and the test asserts that it
finished on its own with a refusal. No speed is asserted (scripts/bench/signing.py measures).
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import signing_fixtures as fx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

import hacienda_cr
from hacienda_cr.signing import sign_xml, verify_xml, xml_input
from hacienda_cr.signing import verify as verify_module
from hacienda_cr.validation import validate_document

# Far beyond what a refusal takes (milliseconds): reaching it means the verifier stalled.
KILL_AFTER = 60
SRC = Path(hacienda_cr.__file__).resolve().parents[1]  # the child runs this very library


def verify_in_child(xml: bytes, tmp_path: Path) -> dict:
    """``hacienda-cr verify --json`` on ``xml`` in a child process killed after KILL_AFTER s."""
    path = tmp_path / "document.xml"
    path.write_bytes(xml)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "hacienda_cr", "verify", str(path), "--json"],
            capture_output=True, text=True, timeout=KILL_AFTER,
            env={**os.environ, "PYTHONPATH": str(SRC)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"verify_xml did not return within {KILL_AFTER} s (killed): the input stalls it")
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    return json.loads(done.stdout)


def resign(xml: bytes) -> bytes:
    """Recompute the SignatureValue of the (only) signature after SignedInfo was edited, with
    the test key: the signature is then cryptographically right about whatever it now says."""
    root = etree.fromstring(xml)
    signed_info = root.find(f".//{{{fx.DS_NS}}}SignedInfo")
    canonical = etree.tostring(signed_info, method="c14n")
    value = fx.signing_key()._private_key.sign(canonical, padding.PKCS1v15(), hashes.SHA256())
    return re.sub(
        rb"(<ds:SignatureValue[^>]*>)[^<]*(</ds:SignatureValue>)",
        lambda m: m.group(1) + base64.b64encode(value) + m.group(2), xml, count=1,
    )


def with_document_transforms(signed: bytes, transforms: bytes) -> bytes:
    """Our signature with Reference 1's Transforms replaced, re-signed."""
    edited, count = re.subn(
        rb"(<ds:Reference[^>]*URI=\"\">)<ds:Transforms>.*?</ds:Transforms>",
        lambda m: m.group(1) + b"<ds:Transforms>" + transforms + b"</ds:Transforms>",
        signed, count=1, flags=re.S,
    )
    assert count == 1
    return resign(edited)


def signed_factura(ten_lines: bool = False) -> bytes:
    document = fx.ten_line_document() if ten_lines else fx.tinke_documents()["factura-electronica"]
    return sign_xml(document, fx.signing_key())


# -- CVE-2022-0778: a certificate whose EC parameters make OpenSSL 1.1.1 loop -------------


def _tlv(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + body


def _seq(*parts: bytes) -> bytes:
    return _tlv(0x30, b"".join(parts))


def _int(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big"))


def _oid(dotted: str) -> bytes:
    first, second, *rest = (int(part) for part in dotted.split("."))
    body = bytes([first * 40 + second])
    for number in rest:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.insert(0, 0x80 | (number & 0x7F))
            number >>= 7
        body += bytes(chunk)
    return _tlv(0x06, body)


def crafted_ec_certificate() -> bytes:
    """DER certificate with an EC key on explicit parameters over p = 697 = 17 * 41.

    OpenSSL decompresses the base point (x = 14) with BN_mod_sqrt, which for this composite
    p ≡ 1 (mod 8) and x³ + 3x + 1 (a non-square of Jacobi symbol 1) never returns in
    OpenSSL < 1.1.1n / 3.0.2 — the cryptography 3.4.8 of Odoo's Python 3.11 pins. The
    certificate's own signature is garbage: parsing happens before any signature check."""
    p, a, b, x = 697, 3, 1, 14
    size = 2
    point = b"\x02" + x.to_bytes(size, "big")
    parameters = _seq(
        _int(1),
        _seq(_oid("1.2.840.10045.1.1"), _int(p)),
        _seq(_tlv(0x04, a.to_bytes(size, "big")), _tlv(0x04, b.to_bytes(size, "big"))),
        _tlv(0x04, point), _int(p), _int(1),
    )
    key = _seq(_seq(_oid("1.2.840.10045.2.1"), parameters), _tlv(0x03, b"\x00" + point))
    name = _seq(_tlv(0x31, _seq(_oid("2.5.4.3"), _tlv(0x0C, b"EMISOR"))))
    algorithm = _seq(_oid("1.2.840.113549.1.1.11"), _tlv(0x05, b""))
    validity = _seq(_tlv(0x17, b"250101000000Z"), _tlv(0x17, b"350101000000Z"))
    tbs = _seq(_tlv(0xA0, _int(2)), _int(1), algorithm, name, validity, name, key)
    return _seq(tbs, algorithm, _tlv(0x03, b"\x00" + b"\x01" * 256))


def test_certificate_with_crafted_curve_parameters_is_refused(tmp_path):
    signed = signed_factura()
    poisoned = re.sub(
        rb"(<ds:X509Certificate>)[^<]*(</ds:X509Certificate>)",
        lambda m: m.group(1) + base64.b64encode(crafted_ec_certificate()) + m.group(2),
        signed, count=1,
    )
    assert poisoned != signed
    # A schema-valid Factura: it passes every check an importer makes before the signature.
    assert not [i for i in validate_document(poisoned).issues if i.code == "xsd"]
    assert 7_000 < len(poisoned) < 10_000

    result = verify_in_child(poisoned, tmp_path)
    assert result["valid"] is False
    assert any("not an RSA key" in error for error in result["errors"]), result["errors"]


# -- the signature's transforms: only Hacienda's, never evaluated ------------------------

XPATH_BOMB = b"//*[count(//*[count(//*[count(//*) > 0]) > 0]) > 0]"


def test_xpath_from_the_document_is_never_evaluated(tmp_path):
    """A Filter 2.0 expression costing O(n⁴) over a 17 KB document (minutes of CPU, even
    with a correct SignatureValue) is refused as a form Hacienda's signatures never use."""
    bomb = with_document_transforms(
        signed_factura(ten_lines=True),
        b'<ds:Transform Algorithm="http://www.w3.org/2002/06/xmldsig-filter2">'
        b'<dsig-filter2:XPath xmlns:dsig-filter2="http://www.w3.org/2002/06/xmldsig-filter2" '
        b'Filter="subtract">' + XPATH_BOMB + b"</dsig-filter2:XPath></ds:Transform>"
        b'<ds:Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>',
    )
    assert len(bomb) < 20_000
    result = verify_in_child(bomb, tmp_path)
    assert result["valid"] is False
    assert any("XPath Filter 2.0 is accepted only as" in error for error in result["errors"]), result["errors"]


@pytest.mark.parametrize("algorithm, expression", [
    ("http://www.w3.org/TR/1999/REC-xpath-19991116", b"not(ancestor-or-self::ds:Signature) or " + XPATH_BOMB),
    ("http://www.w3.org/TR/1999/REC-xpath-19991116", b"not(ancestor-or-self::ds:Object)"),
])
def test_other_xpath_transforms_are_refused(algorithm, expression):
    signed = with_document_transforms(
        signed_factura(),
        f'<ds:Transform Algorithm="{algorithm}">'.encode() + b"<ds:XPath>" + expression
        + b"</ds:XPath></ds:Transform>",
    )
    result = verify_xml(signed)
    assert not result.valid
    assert any("XPath transforms are accepted only as" in e for e in result.errors), result.errors


def test_the_annex_xpath_transform_is_accepted():
    """Anexo 2 (p. 85) shows not(ancestor-or-self::ds:Signature) then exclusive C14N."""
    signed = with_document_transforms(
        signed_factura(),
        b'<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116">'
        b"<ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath></ds:Transform>",
    )
    result = verify_xml(signed)
    assert result.valid, result.errors


def test_unknown_transform_and_too_many_transforms_are_refused():
    unknown = with_document_transforms(
        signed_factura(),
        b'<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
        b'<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>',
    )
    assert any("REC-xslt-19991116 is not supported" in e for e in verify_xml(unknown).errors)
    many = with_document_transforms(
        signed_factura(),
        b'<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>' * 5,
    )
    assert any("5 transforms" in e for e in verify_xml(many).errors), verify_xml(many).errors


# -- counts and sizes -------------------------------------------------------------------


def test_too_many_references_are_refused_before_any_digest(monkeypatch):
    signed = signed_factura()
    reference = re.search(rb"<ds:Reference .*?</ds:Reference>", signed, re.S).group(0)
    many = resign(signed.replace(reference, reference * 5, 1))
    digests = []
    monkeypatch.setattr(verify_module.Document, "digest", lambda *a, **k: digests.append(a))
    result = verify_xml(many)
    assert not result.valid
    assert any("SignedInfo has 7 References" in e for e in result.errors), result.errors
    assert digests == []


def test_too_many_signatures_and_too_large_documents_are_refused():
    signed = signed_factura()
    for _ in range(5):
        signed = sign_xml(signed, fx.signing_key())
    result = verify_xml(signed)
    assert not result.valid
    assert result.errors == ["the document carries 6 signatures; Hacienda's documents have at most 5"]
    huge = signed_factura().replace(b"</FacturaElectronica>", b" " * verify_module.MAX_DOCUMENT_BYTES
                                    + b"</FacturaElectronica>")
    with pytest.raises(Exception, match="documents over 10 MiB are not verified"):
        verify_xml(huge)


def test_a_wrong_signature_value_stops_before_the_document_digest(monkeypatch):
    signed = signed_factura()
    wrong = re.sub(rb"(<ds:SignatureValue[^>]*>)(.)", lambda m: m.group(1) + (b"B" if m.group(2) == b"A" else b"A"),
                   signed, count=1)
    digests = []
    monkeypatch.setattr(verify_module.Document, "digest", lambda *a, **k: digests.append(a))
    result = verify_xml(wrong)
    assert any("SignatureValue does not match" in e for e in result.errors), result.errors
    assert digests == []


def test_the_document_is_parsed_once_whatever_its_signatures(monkeypatch):
    """Five signatures, each leaving itself out of its digest (and earlier ones re-checked
    without the later ones): one parse of the bytes, the tree restored after each digest."""
    signed = signed_factura()
    for _ in range(4):
        signed = sign_xml(signed, fx.signing_key())
    parses = []
    original = xml_input._parser
    monkeypatch.setattr(xml_input, "_parser", lambda: parses.append(1) or original())
    result = verify_xml(signed)
    assert result.valid, result.errors
    assert len(result.signatures) == 5
    assert len(parses) == 1
