"""The builder's own output stands in for libxml2's C14N when signing (``canonical_body``):
it must be byte for byte the Canonical XML of the document whenever it is offered, and be
withheld whenever the two could differ — else every signature would be wrong."""

import copy
import hashlib
import json
from pathlib import Path

import pytest
import signing_fixtures as fx
from lxml import etree

from hacienda_cr.documents import build_document
from hacienda_cr.issuing import issue_document
from hacienda_cr.signing import sign_xml, verify_xml

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "docs" / "examples").glob("*.json"))
DS = "{http://www.w3.org/2000/09/xmldsig#}"


def libxml2_c14n(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml).getroottree(), method="c14n", exclusive=False, with_comments=False)


def document_digest(signed: bytes) -> str:
    signature = etree.fromstring(signed).find(f"{DS}Signature")
    reference = next(r for r in signature.iter(f"{DS}Reference") if r.get("URI") == "")
    return reference.find(f"{DS}DigestValue").text


@pytest.mark.parametrize("schema_set", ["v4.4", "v4.4-2026"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_is_written_in_canonical_form(example, schema_set):
    built = build_document(json.loads(example.read_text()), schema_set=schema_set)
    assert built.canonical is not None  # the fast path is the common one
    assert built.canonical == libxml2_c14n(built.xml)


def _factura_with(detalle: str, otros: list | None = None) -> dict:
    data = json.loads((EXAMPLES[0].parent / "factura.json").read_text())
    body = data["FacturaElectronica"]
    body["DetalleServicio"]["LineaDetalle"][0]["Detalle"] = detalle
    if otros is not None:
        body["Otros"] = {"OtroTexto": otros}
    return data


AWKWARD = {
    "markup characters": ("a & b < c > d ]]> e", None),
    "quotes": ("pulgadas 15\" y 'comillas'", None),
    "an attribute-like text": ('modelo="X1"', None),
    "tab and line feed": ("uno\tdos\ntres", None),
    "carriage return": ("uno\r\ndos\rtres", None),
    "text that looks like a character reference": ("&#13; &#xD; &amp;", None),
    "non-ASCII": ("Café, niño, 1 €, Ω, 𝄞", None),
    "OtroTexto with a plain codigo": ("Otros servicios", [{"#text": "nota", "@codigo": "A1"}]),
    "OtroTexto whose codigo holds > and a tab": ("Otros servicios", [{"#text": "a > b", "@codigo": 'a>b\t"c"'}]),
    "OtroTexto without codigo": ("Otros servicios", ["solo texto"]),
}


@pytest.mark.parametrize("detalle, otros", AWKWARD.values(), ids=AWKWARD.keys())
def test_awkward_texts_are_canonical_or_left_to_libxml2(detalle, otros):
    built = build_document(_factura_with(detalle, otros))
    if built.canonical is not None:
        assert built.canonical == libxml2_c14n(built.xml)


def test_a_carriage_return_or_an_attribute_is_left_to_libxml2():
    # these are the cases where the writer's text and C14N's differ
    assert build_document(_factura_with("uno\rdos")).canonical is None
    assert build_document(_factura_with("Otros servicios", [{"#text": "a", "@codigo": "a>b"}])).canonical is None


@pytest.mark.parametrize("detalle, otros", AWKWARD.values(), ids=AWKWARD.keys())
def test_issued_documents_digest_what_libxml2_canonicalises(detalle, otros, schema_store):
    issued = issue_document(_factura_with(detalle, otros), fx.signing_key(), store=schema_store)
    expected = hashlib.sha256(libxml2_c14n(issued.built.xml)).digest()
    assert document_digest(issued.xml) == __import__("base64").b64encode(expected).decode()
    assert verify_xml(issued.xml, trusted_certs=[fx.shared_test_ca().certificate]).valid


def test_the_fast_path_signs_exactly_as_the_slow_one(schema_store):
    built = build_document(json.loads((EXAMPLES[0].parent / "factura.json").read_text()))
    assert built.canonical is not None
    fast = sign_xml(built.xml, fx.signing_key(), parsed_root=built.tree, canonical_document=built.canonical)
    slow = sign_xml(copy.copy(built.xml), fx.signing_key())
    assert document_digest(fast) == document_digest(slow)
