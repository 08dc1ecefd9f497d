"""Every business rule rejects what it should, naming the field."""

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
    doc = example("factura")
    doc[F]["Receptor"]["Identificacion"] = {"Tipo": id_type, "Numero": number}
    if ok:
        build_document(doc)
    else:
        assert_rejected(doc, f"{F}/Receptor/Identificacion/Numero", f"type {id_type}")


CASES = [
    (
        "DetalleServicio.LineaDetalle.0.CodigoCABYS",
        "83141000000AB",
        f"{F}/DetalleServicio/LineaDetalle[1]/CodigoCABYS",
        "13 digits",
    ),
    ("ProveedorSistemas", "CRLibre Demo", f"{F}/ProveedorSistemas", "not a name"),
    ("CodigoActividadEmisor", "62-100", f"{F}/CodigoActividadEmisor", "activity code"),
    ("Receptor.CorreoElectronico", "no-at-sign.cr", f"{F}/Receptor/CorreoElectronico", "not an e-mail"),
    ("PlazoCredito", DELETE, f"{F}/PlazoCredito", "CondicionVenta is 02"),
    ("CondicionVenta", "99", f"{F}/CondicionVentaOtros", "CondicionVenta is 99"),
    (
        "DetalleServicio.LineaDetalle.1.Descuento.1.CodigoDescuentoOTRO",
        DELETE,
        f"{F}/DetalleServicio/LineaDetalle[2]/Descuento[2]/CodigoDescuentoOTRO",
        "CodigoDescuento is 99",
    ),
    (
        "DetalleServicio.LineaDetalle.0.Impuesto.0.Tarifa",
        "4",
        f"{F}/DetalleServicio/LineaDetalle[1]/Impuesto[1]/Tarifa",
        "does not match CodigoTarifaIVA 08",
    ),
    (
        "DetalleServicio.LineaDetalle.0.Impuesto.0.CodigoTarifaIVA",
        DELETE,
        f"{F}/DetalleServicio/LineaDetalle[1]/Impuesto[1]/CodigoTarifaIVA",
        "required for IVA",
    ),
    (
        "DetalleServicio.LineaDetalle.0.Impuesto.0.Codigo",
        "99",
        f"{F}/DetalleServicio/LineaDetalle[1]/Impuesto[1]/CodigoImpuestoOTRO",
        "Codigo is 99",
    ),
    (
        "ResumenFactura.MedioPago.0.TipoMedioPago",
        "99",
        f"{F}/ResumenFactura/MedioPago[1]/MedioPagoOtros",
        "TipoMedioPago is 99",
    ),
    (
        "ResumenFactura.CodigoTipoMoneda",
        {"CodigoMoneda": "CRC", "TipoCambio": "2"},
        f"{F}/ResumenFactura/CodigoTipoMoneda/TipoCambio",
        "exchange rate 1",
    ),
    (
        "ResumenFactura.CodigoTipoMoneda",
        {"CodigoMoneda": "USD", "TipoCambio": "0"},
        f"{F}/ResumenFactura/CodigoTipoMoneda/TipoCambio",
        "above 0",
    ),
    ("Clave", "50620112600310112345600100001040000000001147102934", f"{F}/Clave", "NumeroConsecutivo is"),
    ("Clave", "50621112600310112345600100001010000000001147102934", f"{F}/Clave", "contains the date 21/11/2026"),
    ("Clave", "50620112600310999999900100001010000000001147102934", f"{F}/Clave", "emitter id 003109999999"),
    ("NumeroConsecutivo", "00100001040000000001", f"{F}/NumeroConsecutivo", "carries document type 04"),
    (
        "DetalleServicio.LineaDetalle.0.NumeroLinea",
        7,
        f"{F}/DetalleServicio/LineaDetalle[1]/NumeroLinea",
        "numbered 1, 2, 3",
    ),
]


@pytest.mark.parametrize(
    "dotted, value, path, fragment", CASES, ids=[c[2].split("/", 1)[1] + ":" + c[3] for c in CASES]
)
def test_factura_rules(dotted, value, path, fragment):
    doc = set_in(example("factura"), f"{F}.{dotted}", value)
    assert_rejected(doc, path, fragment)


N = "NotaCreditoElectronica"


@pytest.mark.parametrize(
    "dotted, value, path, fragment",
    [
        ("InformacionReferencia.0.Numero", "FAC-0001", f"{N}/InformacionReferencia[1]/Numero", "50-character clave"),
        (
            "InformacionReferencia.0.Numero",
            "50620112600310112345600100001040000000001147102934",
            f"{N}/InformacionReferencia[1]/Numero",
            "type 04 document",
        ),
        ("InformacionReferencia.0.Codigo", DELETE, f"{N}/InformacionReferencia[1]/Codigo", "reference of a note"),
        ("InformacionReferencia.0.TipoDocIR", "99", f"{N}/InformacionReferencia[1]/TipoDocRefOTRO", "TipoDocIR is 99"),
        (
            "InformacionReferencia.0.FechaEmisionIR",
            "2026-12-01T00:00:00-06:00",
            f"{N}/InformacionReferencia[1]/FechaEmisionIR",
            "after the FechaEmision",
        ),
        ("InformacionReferencia", DELETE, f"{N}/InformacionReferencia", "must reference"),
    ],
)
def test_credit_note_reference_rules(dotted, value, path, fragment):
    doc = set_in(example("nota-credito"), f"{N}.{dotted}", value)
    assert_rejected(doc, path, fragment)


def test_2026_reference_codes_only_in_the_2026_set():
    doc = set_in(example("nota-credito"), f"{N}.InformacionReferencia.0.Codigo", "16")
    build_document(copy.deepcopy(doc), schema_set="v4.4-2026")
    assert_rejected(doc, f"{N}/InformacionReferencia[1]/Codigo", "not a valid code", schema_set="v4.4")


def test_contingency_documents_reference_the_contingency_voucher():
    doc = example("factura")
    doc["Numeracion"]["Situacion"] = "2"
    assert_rejected(doc, f"{F}/InformacionReferencia", "contingencia")
    doc[F]["InformacionReferencia"] = [
        {
            "TipoDocIR": "08",
            "Numero": "CONT-000123",
            "FechaEmisionIR": "2026-11-20T09:00:00-06:00",
            "Codigo": "05",
            "Razon": "Sustituye comprobante provisional",
        }
    ]
    built = build_document(doc)
    assert built.clave[41] == "2"


def test_export_invoice_goes_to_a_foreign_customer():
    doc = example("factura-exportacion")
    doc["FacturaElectronicaExportacion"]["Receptor"]["Identificacion"] = {"Tipo": "02", "Numero": "3102654321"}
    assert_rejected(doc, "FacturaElectronicaExportacion/Receptor/Identificacion/Tipo", "foreign customer")


M = "MensajeReceptor"


def test_receptor_message_rules():
    doc = example("mensaje-receptor-rechazo")
    del doc[M]["DetalleMensaje"]
    assert_rejected(doc, f"{M}/DetalleMensaje", "explain")
    doc = example("mensaje-receptor")
    doc[M]["NumeroConsecutivoReceptor"] = "00100001070000000001"
    assert_rejected(doc, f"{M}/NumeroConsecutivoReceptor", "Mensaje 1 is type 05")
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
    report exactly the defects SOURCES.md lists for them."""
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
        if result.document.doc_type.family != "receptor":
            assert "dates" in rules, sample.name  # FechaEmision without offset
            assert "codes" in rules, sample.name  # ProveedorSistemas is a name
            if result.document.doc_type.code != "01":
                assert "clave" in rules, sample.name  # the clave of every sample says type 01


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
