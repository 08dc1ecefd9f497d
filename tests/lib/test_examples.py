"""Every documented example builds, passes the XSD of both sets and the business rules, and
produces exactly the expected XML (UPDATE_EXPECTED=1 rewrites the expected files)."""

import json
import os
from pathlib import Path

import pytest

from hacienda_cr.documents import build_document, parse_document
from hacienda_cr.validation import validate_document

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "docs" / "examples").glob("*.json"))
EXPECTED = Path(__file__).parent / "expected"
ALL_TYPES = {"01", "02", "03", "04", "05", "07", "08", "09", "10"}


def test_examples_cover_every_document_type():
    types = {build_document(json.loads(p.read_text())).doc_type.code for p in EXAMPLES}
    assert ALL_TYPES <= types, f"missing examples for {ALL_TYPES - types}"


@pytest.mark.parametrize("schema_set", ["v4.4", "v4.4-2026"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_builds_valid_xml(example, schema_set, schema_store):
    built = build_document(json.loads(example.read_text()), schema_set=schema_set)
    result = validate_document(built.xml, schema_set=schema_set, store=schema_store, signed=False)
    assert result.issues == []
    expected = EXPECTED / f"{example.stem}.{schema_set}.xml"
    if os.environ.get("UPDATE_EXPECTED"):
        expected.parent.mkdir(exist_ok=True)
        expected.write_bytes(built.xml)
    assert built.xml == expected.read_bytes(), f"{example.name} no longer builds {expected.name}"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_built_document_reads_back_to_the_same_data(example):
    built = build_document(json.loads(example.read_text()))
    parsed = parse_document(built.xml, built.schema_set)
    assert parsed.issues == []
    assert parsed.data == built.data
    assert parsed.doc_type == built.doc_type


def test_strict_validation_requires_the_signature(schema_store):
    factura = next(p for p in EXAMPLES if p.stem == "factura")
    built = build_document(json.loads(factura.read_text()))
    result = validate_document(built.xml, store=schema_store)
    assert [i.code for i in result.issues] == ["xsd"]
    assert "Signature" in result.issues[0].message
