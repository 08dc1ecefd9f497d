"""Every document type end to end: built from its documented example, under both schema sets,
signed, valid against the XSD with its signature, and verified by our code and by xmlsec1."""

import json
from pathlib import Path

import pytest
import signing_fixtures as fx

from hacienda_cr.documents import build_document
from hacienda_cr.errors import InputError
from hacienda_cr.signing import sign_xml, verify_xml
from hacienda_cr.validation import validate_document

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "docs" / "examples").glob("*.json"))


@pytest.mark.parametrize("schema_set", ["v4.4", "v4.4-2026"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_built_signed_and_verified(example, schema_set, schema_store, tmp_path):
    built = build_document(json.loads(example.read_text()), schema_set=schema_set)
    signed = sign_xml(built.xml, fx.signing_key())
    assert signed.startswith(built.xml[: built.xml.rindex(b"</")])  # the built bytes survive
    result = validate_document(signed, schema_set=schema_set, store=schema_store)
    assert result.issues == []
    verified = verify_xml(signed, trusted_certs=[fx.shared_test_ca().certificate])
    assert verified.valid, verified.errors
    fx.assert_xmlsec1_ok(signed, fx.shared_test_ca().certificate_pem(), tmp_path)


def test_a_flipped_bit_anywhere_in_a_built_document_fails_verification():
    built = build_document(json.loads((EXAMPLES[0].parent / "tiquete.json").read_text()))
    signed = sign_xml(built.xml, fx.signing_key())
    # every byte of the document part (the signature's own bytes are swept in test_verify_bitflips)
    end = signed.index(b"<ds:Signature")
    for position in range(end):
        flipped = bytearray(signed)
        flipped[position] ^= 0x01
        try:
            valid = verify_xml(bytes(flipped)).valid
        except InputError:  # no longer well-formed: not verified either
            valid = False
        assert not valid, f"flip at byte {position} went unnoticed"
