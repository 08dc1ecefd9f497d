"""``issue_document``: the one call from a document's data to a validated, signed document."""

import json
import shutil
from pathlib import Path

import pytest
import signing_fixtures as fx

from hacienda_cr.errors import ConfigurationError
from hacienda_cr.issuing import BUILD, XSD, DocumentRefused, issue_document
from hacienda_cr.schemas import XMLDSIG, SchemaStore
from hacienda_cr.signing import verify_xml

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def factura() -> dict:
    return json.loads((EXAMPLES / "factura.json").read_text())


def test_a_compliant_document_comes_back_signed_and_verifiable(schema_store):
    issued = issue_document(factura(), fx.signing_key(), store=schema_store)
    assert issued.signed
    assert issued.xml.startswith(issued.built.xml[: -len(b"</FacturaElectronica>")])
    result = verify_xml(issued.xml, trusted_certs=[fx.shared_test_ca().certificate])
    assert result.valid, result.issues
    assert issued.built.clave.startswith("506")


def test_without_a_key_the_document_is_validated_but_left_unsigned(schema_store):
    issued = issue_document(factura(), None, store=schema_store)
    assert not issued.signed and issued.xml == issued.built.xml
    assert b"Signature" not in issued.xml


def test_a_document_breaking_an_annex_rule_is_refused_at_the_build_stage(schema_store):
    data = factura()
    data["FacturaElectronica"]["ProveedorSistemas"] = "Acme Sistemas"  # the provider's id, not its name
    with pytest.raises(DocumentRefused) as refused:
        issue_document(data, fx.signing_key(), store=schema_store)
    assert refused.value.stage == BUILD
    assert [i.path for i in refused.value.issues] == ["FacturaElectronica/ProveedorSistemas"]
    assert refused.value.issues[0].code not in ("", "xsd")


def test_a_document_the_schema_refuses_is_refused_at_the_xsd_stage(tmp_path, xsd_dir):
    # Hacienda's XSD with ProveedorSistemas limited to 5 characters: the example's 10 digits pass
    # every rule of the builder and fail only the schema.
    strict = tmp_path / "xsd"
    shutil.copytree(xsd_dir, strict)
    for dsig in (xsd_dir / XMLDSIG, xsd_dir.parent / XMLDSIG):
        if dsig.is_file():
            shutil.copy(dsig, strict / XMLDSIG)
    xsd = strict / "v4.4" / "FacturaElectronica_V4.4.xsd"
    text = xsd.read_text(encoding="utf-8")
    start = text.index('<xs:element name="ProveedorSistemas">')
    limit = text.index('<xs:maxLength value="20"/>', start)
    xsd.write_text(text[:limit] + '<xs:maxLength value="5"/>' + text[limit + 26 :], encoding="utf-8")
    data = factura()
    with pytest.raises(DocumentRefused) as refused:
        issue_document(data, fx.signing_key(), schema_set="v4.4", store=SchemaStore(strict))
    assert refused.value.stage == XSD
    assert [(i.path, i.code) for i in refused.value.issues] == [("FacturaElectronica/ProveedorSistemas", "xsd")]
    # Hacienda's own schema accepts the same data.
    assert issue_document(data, None, schema_set="v4.4", xsd_dir=xsd_dir).built.schema_set == "v4.4"


def test_a_missing_schema_directory_is_a_configuration_error_after_the_rules(tmp_path):
    with pytest.raises(ConfigurationError):
        issue_document(factura(), None, xsd_dir=tmp_path / "nowhere")
    data = factura()
    data["FacturaElectronica"]["ProveedorSistemas"] = "Acme Sistemas"
    with pytest.raises(DocumentRefused):  # the data's problems come first
        issue_document(data, None, xsd_dir=tmp_path / "nowhere")
    # without the schema the rules still apply and the document is built
    assert issue_document(factura(), None, xsd=False, xsd_dir=tmp_path / "nowhere").built.clave.startswith("506")
