"""Bad input is reported with the path of its field; the annex's own rules are proven one by
one in ``test_annex_rules``."""

import copy
import json
from pathlib import Path

import pytest

from hacienda_cr.documents import build_document
from hacienda_cr.errors import InputError
from hacienda_cr.validation import validate_document

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def example(name):
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def rejected(doc, **kwargs):
    with pytest.raises(InputError) as err:
        build_document(doc, **kwargs)
    return {(i.path, i.message) for i in err.value.issues}


def assert_rejected(doc, path, fragment, **kwargs):
    problems = rejected(doc, **kwargs)
    assert any(p == path and fragment in m for p, m in problems), problems


def set_in(doc, dotted, value):
    node = doc
    keys = dotted.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node[key]
    last = keys[-1]
    if value is DELETE:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return doc


DELETE = object()
F = "FacturaElectronica"
N = "NotaCreditoElectronica"


@pytest.mark.parametrize(
    "id_type, number, ok",
    [
        ("01", "109870654", True),
        ("01", "10987065", False),
        ("01", "009870654", False),
        ("02", "3101123456", True),
        ("02", "4000042138", True),
        ("02", "310112345", False),
        ("03", "15580012345", True),
        ("03", "155800123456", True),
        ("03", "1558001234", False),
        ("04", "1234567890", True),
        ("04", "12345678901", False),
        ("05", "US8847261", True),
        ("05", "US-884", False),
        ("06", "X12", True),
    ],
)
def test_identification_rules(id_type, number, ok):
    doc = example("nota-credito")  # a note takes every identification type (a Factura no type 05, p. 22)
    doc[N]["Receptor"]["Identificacion"] = {"Tipo": id_type, "Numero": number}
    if ok:
        build_document(doc)
    else:
        assert_rejected(doc, f"{N}/Receptor/Identificacion/Numero", f"type {id_type}")


def test_2026_reference_codes_only_in_the_2026_set():
    doc = set_in(example("nota-credito"), f"{N}.InformacionReferencia.0.Codigo", "16")
    build_document(copy.deepcopy(doc), schema_set="v4.4-2026")
    assert_rejected(doc, f"{N}/InformacionReferencia[1]/Codigo", "not a valid code", schema_set="v4.4")


M = "MensajeReceptor"


def test_a_partial_acceptance_is_numbered_as_one():
    doc = example("mensaje-receptor")
    doc[M]["Mensaje"] = 2
    built = build_document(doc)
    assert built.doc_type.code == "06" and built.consecutivo[8:10] == "06"


@pytest.mark.parametrize(
    "mutation, path, fragment",
    [
        (lambda d: d[F].update(Emisorr={}), f"{F}/Emisorr", "did you mean 'Emisor'"),
        (
            lambda d: d[F]["DetalleServicio"]["LineaDetalle"][0].update(Cantidad="dos"),
            f"{F}/DetalleServicio/LineaDetalle[1]/Cantidad",
            "not a number",
        ),
        (
            lambda d: d[F]["DetalleServicio"]["LineaDetalle"][0].update(PrecioUnitario="1.123456"),
            f"{F}/DetalleServicio/LineaDetalle[1]/PrecioUnitario",
            "at most 5",
        ),
        (
            lambda d: d[F]["DetalleServicio"]["LineaDetalle"][0].update(PrecioUnitario="-1"),
            f"{F}/DetalleServicio/LineaDetalle[1]/PrecioUnitario",
            "below the minimum",
        ),
        (lambda d: d[F].update(CondicionVenta=1), f"{F}/CondicionVenta", "did you mean '01'"),
        (lambda d: d[F].update(FechaEmision="ayer"), f"{F}/FechaEmision", "not an ISO 8601"),
        (lambda d: d[F]["Emisor"].update(Nombre="Ab"), f"{F}/Emisor/Nombre", "shorter than 5"),
        (lambda d: d[F].update(CondicionVenta=["01"]), f"{F}/CondicionVenta", "a list was given"),
        (lambda d: d[F]["Emisor"].pop("Ubicacion"), f"{F}/Emisor/Ubicacion", "is required"),
        (lambda d: d[F].update(Signature={}), f"{F}/Signature", "added by signing"),
        (lambda d: d.update(Extra=1), "Extra", "unknown top-level key"),
        (lambda d: d["Numeracion"].update(Sucursal=1000), "Numeracion/Sucursal", "1 to 999"),
        (lambda d: (d.pop("Numeracion"), d[F].pop("DetalleServicio")), f"{F}/NumeroConsecutivo", "give Numeracion"),
    ],
)
def test_bad_input_is_reported_with_its_path(mutation, path, fragment):
    doc = example("factura")
    mutation(doc)
    assert_rejected(doc, path, fragment)


def test_every_problem_is_reported_at_once():
    doc = example("factura")
    doc[F]["ProveedorSistemas"] = "Nombre"
    doc[F]["Receptor"]["Identificacion"]["Numero"] = "12"
    doc[F]["DetalleServicio"]["LineaDetalle"][0]["CodigoCABYS"] = "X" * 13
    assert len(rejected(doc)) >= 3


def test_samples_parse_and_validate_with_their_known_defects(shared_dir, schema_store):
    """The tinke-labs samples: XSD-valid (factura-electronica lacks its signature) and the rules
    report the defects SOURCES.md lists for them."""
    samples = sorted((shared_dir / "samples" / "tinke-labs").glob("*.xml"))
    assert len(samples) == 8
    for sample in samples:
        result = validate_document(sample.read_bytes(), store=schema_store)
        xsd = [i for i in result.issues if i.code == "xsd"]
        if sample.name == "factura-electronica.xml":
            assert len(xsd) == 1 and "Signature" in xsd[0].message
        else:
            assert xsd == [], (sample.name, xsd)
        rules = {i.code for i in result.issues if i.code != "xsd"}
        assert "p19.fecha-formato" in rules, sample.name  # dates without their offset
        assert "p18.clave" in rules, sample.name  # the clave's date is written YYYYMM…
        if result.document.doc_type.family != "receptor":
            assert "p18.proveedor-sistemas" in rules, sample.name  # ProveedorSistemas is a name
            if result.document.doc_type.code != "01":
                assert "p65.consecutivo-tipo" in rules, sample.name  # every sample is numbered as type 01


@pytest.mark.parametrize("text", ["Consultor\x00ía", "Tab\x0bvertical", "\ud800"])
def test_characters_xml_cannot_carry_are_refused(text):
    doc = example("factura")
    doc[F]["DetalleServicio"]["LineaDetalle"][0]["Detalle"] = text
    assert_rejected(doc, f"{F}/DetalleServicio/LineaDetalle[1]/Detalle", "which XML does not allow")


def test_markup_in_text_is_escaped_and_survives():
    doc = example("factura")
    doc[F]["DetalleServicio"]["LineaDetalle"][0]["Detalle"] = 'Tornillos <3/4"> & "arandelas"\r\nlínea 2'
    built = build_document(doc)
    from hacienda_cr.documents import parse_document

    assert parse_document(built.xml).data["DetalleServicio"]["LineaDetalle"][0]["Detalle"] == (
        'Tornillos <3/4"> & "arandelas"\r\nlínea 2'
    )
