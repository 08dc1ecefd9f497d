"""Totals: derived amounts obey Hacienda's identities for any document, given amounts are
checked, and any tampered amount is reported at its path."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hacienda_cr.documents import build_document, sale_summary
from hacienda_cr.documents.annex import RULES
from hacienda_cr.documents.totals import IVA_RATES
from hacienda_cr.errors import InputError
from hacienda_cr.validation import validate_document

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
EMISOR = {
    "Nombre": "Empresa Demo S.A.",
    "Identificacion": {"Tipo": "02", "Numero": "3101123456"},
    "Ubicacion": {"Provincia": 1, "Canton": 1, "Distrito": 1, "OtrasSenas": "Frente al parque"},
    "CorreoElectronico": ["f@demo.cr"],
}
RECEPTOR = {"Nombre": "Cliente S.A.", "Identificacion": {"Tipo": "02", "Numero": "3109876543"}}

quantities = st.decimals("0.001", "5000", places=3)
prices = st.decimals("0.00001", "2000000", places=5)
# Transitional rates (05-07) are for credit and debit notes only (annex p. 71).
rate_codes = st.sampled_from(sorted(set(IVA_RATES) - {"05", "06", "07"}))


@st.composite
def lines(draw):
    quantity = draw(quantities)
    price = draw(prices)
    gross = (quantity * price).quantize(Decimal("0.00001"))
    line = {
        "CodigoCABYS": draw(st.sampled_from(["8314100000000", "4523000000100", "2111100000000"])),
        "Cantidad": str(quantity),
        "UnidadMedida": draw(st.sampled_from(["Unid", "Sp", "Kg", "h"])),
        "Detalle": "Artículo de prueba",
        "PrecioUnitario": str(price),
    }
    if draw(st.booleans()) and gross > 0:
        share = draw(st.decimals("0", "1", places=2))
        line["Descuento"] = [
            {"MontoDescuento": str((gross * share).quantize(Decimal("0.00001"))), "CodigoDescuento": "07"}
        ]
    taxes = []
    if draw(st.booleans()):
        taxes.append({"Codigo": "02", "Tarifa": str(draw(st.sampled_from(["10", "30"])))})
    iva = {"Codigo": "01", "CodigoTarifaIVA": draw(rate_codes)}
    if draw(st.booleans()) and IVA_RATES[iva["CodigoTarifaIVA"]] > 0:
        iva["Exoneracion"] = {
            "TipoDocumentoEX1": "02",
            "NumeroDocumento": "AL-001",
            "Articulo": 34,
            "NombreInstitucion": "02",
            "FechaEmisionEX": "2026-01-01T00:00:00-06:00",
            "TarifaExonerada": str(
                min(IVA_RATES[iva["CodigoTarifaIVA"]], Decimal(draw(st.sampled_from(["1", "4", "13"]))))
            ),
        }
    taxes.append(iva)
    line["Impuesto"] = taxes
    return line


def factura(doc_lines, currency=None):
    doc = {
        "FacturaElectronica": {
            "ProveedorSistemas": "3101123456",
            "CodigoActividadEmisor": "620100",
            "FechaEmision": "2026-11-27T10:00:00-06:00",
            "Emisor": EMISOR,
            "Receptor": RECEPTOR,
            "CondicionVenta": "01",
            "DetalleServicio": {"LineaDetalle": doc_lines},
            "ResumenFactura": {"MedioPago": [{"TipoMedioPago": "01"}]},
        },
        "Numeracion": {"Sucursal": 1, "Terminal": 1, "Numero": 1, "CodigoSeguridad": "12345678"},
    }
    if currency:
        doc["FacturaElectronica"]["ResumenFactura"]["CodigoTipoMoneda"] = currency
    return doc


def D(value):
    return value if isinstance(value, Decimal) else Decimal(0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc_lines=st.lists(lines(), min_size=1, max_size=8))
def test_derived_amounts_satisfy_every_identity(doc_lines, schema_store):
    built = build_document(factura(doc_lines))
    doc = built.data
    total_tax = Decimal(0)
    for line in doc["DetalleServicio"]["LineaDetalle"]:
        discounts = sum((d["MontoDescuento"] for d in line.get("Descuento", [])), Decimal(0))
        assert line["SubTotal"] == line["MontoTotal"] - discounts
        taxes = line["Impuesto"]
        assert line["ImpuestoNeto"] == sum(
            t["Monto"] - D((t.get("Exoneracion") or {}).get("MontoExoneracion")) for t in taxes
        )
        assert line["MontoTotalLinea"] == line["SubTotal"] + line["ImpuestoNeto"]
        assert abs(line["MontoTotal"] - line["Cantidad"] * line["PrecioUnitario"]) <= Decimal("0.000005")
        total_tax += line["ImpuestoNeto"]
    s = doc["ResumenFactura"]
    classes = ["TotalGravado", "TotalExento", "TotalExonerado", "TotalNoSujeto"]
    assert s["TotalVenta"] == sum(D(s.get(k)) for k in classes)
    assert s["TotalVentaNeta"] == s["TotalVenta"] - D(s.get("TotalDescuentos"))
    assert D(s.get("TotalImpuesto")) == total_tax
    assert sum(d["TotalMontoImpuesto"] for d in s.get("TotalDesgloseImpuesto", [])) == total_tax
    assert s["TotalComprobante"] == s["TotalVentaNeta"] + total_tax
    # what was built passes the XSD and, read back, every check
    assert validate_document(built.xml, store=schema_store, signed=False).issues == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc_lines=st.lists(lines(), min_size=1, max_size=8))
def test_sale_summary_is_the_built_documents(doc_lines):
    """The totals alone (no rules, XML or signature) are the built document's, to the digit."""
    data = factura(doc_lines)
    assert sale_summary(data) == build_document(data).data["ResumenFactura"]


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_sale_summary_of_the_examples(example):
    data = json.loads(example.read_text())
    built = build_document(data)
    if built.doc_type.family != "sale":
        with pytest.raises(InputError, match="has no sale totals"):
            sale_summary(data)
        return
    assert sale_summary(data) == built.data["ResumenFactura"]
    assert data == json.loads(example.read_text()), "the caller's data is left as it was"


def test_sale_summary_reports_amount_problems():
    data = one_line(MontoTotal="1")
    with pytest.raises(InputError, match="MontoTotal"):
        sale_summary(data)


AMOUNT_FIELDS = [
    "MontoTotal",
    "SubTotal",
    "BaseImponible",
    "Monto",
    "ImpuestoNeto",
    "MontoTotalLinea",
    "TotalVenta",
    "TotalVentaNeta",
    "TotalImpuesto",
    "TotalComprobante",
    "TotalMontoImpuesto",
    "TotalGravado",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(lines(), min_size=1, max_size=4), st.sampled_from(AMOUNT_FIELDS), st.data())
def test_any_tampered_amount_is_reported(doc_lines, field, data):
    built = build_document(factura(doc_lines))
    tree = etree.fromstring(built.xml)
    candidates = tree.findall(f".//{{*}}{field}")
    if not candidates:
        return
    target = data.draw(st.sampled_from(candidates))
    target.text = f"{Decimal(target.text) + Decimal('1.5'):.5f}"
    result = validate_document(etree.tostring(tree), xsd=False)
    assert result.issues, f"changing {field} went unnoticed"
    assert all(i.code in RULES for i in result.issues), result.issues


def test_given_line_amounts_are_checked_with_their_path():
    line = {
        "CodigoCABYS": "8314100000000",
        "Cantidad": "2",
        "UnidadMedida": "Sp",
        "Detalle": "Horas",
        "PrecioUnitario": "1000",
        "MontoTotal": "2500",
        "Impuesto": [{"Codigo": "01", "CodigoTarifaIVA": "08"}],
    }
    with pytest.raises(InputError) as err:
        build_document(factura([line]))
    paths = [i.path for i in err.value.issues]
    assert "FacturaElectronica/DetalleServicio/LineaDetalle[1]/MontoTotal" in paths
    assert "Cantidad × PrecioUnitario = 2000.00000" in str(err.value)


def test_half_cent_rounding_of_two_decimal_systems_is_accepted():
    line = {
        "CodigoCABYS": "8314100000000",
        "Cantidad": "3",
        "UnidadMedida": "Sp",
        "Detalle": "Horas",
        "PrecioUnitario": "333.335",
        "MontoTotal": "1000.01",
        "Impuesto": [{"Codigo": "01", "CodigoTarifaIVA": "08", "Monto": "130"}],
    }
    built = build_document(factura([line]))
    assert built.data["DetalleServicio"]["LineaDetalle"][0]["MontoTotal"] == Decimal("1000.01")


def test_rounding_is_half_up_to_five_decimals():
    line = {
        "CodigoCABYS": "8314100000000",
        "Cantidad": "1",
        "UnidadMedida": "Sp",
        "Detalle": "Horas",
        "PrecioUnitario": "0.00005",
        "Impuesto": [{"Codigo": "01", "CodigoTarifaIVA": "08"}],
    }
    built = build_document(factura([line]))
    tax = built.data["DetalleServicio"]["LineaDetalle"][0]["Impuesto"][0]["Monto"]
    assert tax == Decimal("0.00001")  # 0.0000065 rounds half up


def test_foreign_currency_keeps_amounts_in_that_currency():
    line = {
        "CodigoCABYS": "8314100000000",
        "Cantidad": "1",
        "UnidadMedida": "Sp",
        "Detalle": "Soporte",
        "PrecioUnitario": "100",
        "Impuesto": [{"Codigo": "01", "CodigoTarifaIVA": "08"}],
    }
    built = build_document(factura([line], {"CodigoMoneda": "USD", "TipoCambio": "507.12"}))
    s = built.data["ResumenFactura"]
    assert s["TotalComprobante"] == Decimal("113.00000")
    assert s["CodigoTipoMoneda"]["TipoCambio"] == Decimal("507.12")


def test_other_charges_percentage_and_several_payments():
    line = {
        "CodigoCABYS": "6331000000000",
        "Cantidad": "1",
        "UnidadMedida": "Unid",
        "Detalle": "Cena",
        "PrecioUnitario": "10000",
        "Impuesto": [{"Codigo": "01", "CodigoTarifaIVA": "08"}],
    }
    doc = factura([line])
    doc["FacturaElectronica"]["OtrosCargos"] = [
        {"TipoDocumentoOC": "06", "Detalle": "Servicio 10%", "PorcentajeOC": "10"}
    ]
    doc["FacturaElectronica"]["ResumenFactura"]["MedioPago"] = [
        {"TipoMedioPago": "01", "TotalMedioPago": "5000"},
        {"TipoMedioPago": "02", "TotalMedioPago": "3000"},
        {"TipoMedioPago": "06", "TotalMedioPago": "2000"},
        {"TipoMedioPago": "04", "TotalMedioPago": "2300"},
    ]
    built = build_document(doc)
    s = built.data["ResumenFactura"]
    assert s["TotalOtrosCargos"] == Decimal("1000.00000")
    assert s["TotalComprobante"] == Decimal("12300.00000")
    doc["FacturaElectronica"]["ResumenFactura"]["MedioPago"].append({"TipoMedioPago": "07", "TotalMedioPago": "1"})
    with pytest.raises(InputError) as err:
        build_document(doc)
    assert "at most 4 allowed" in str(err.value)


# -- amounts exactly as the annex defines them ------------------------------------------------


def one_line(**line):
    return factura([{"CodigoCABYS": "8314100000000", "Cantidad": "1", "UnidadMedida": "Sp", "Detalle": "Servicio",
                     "PrecioUnitario": "1000", "Impuesto": [{"Codigo": "01", "CodigoTarifaIVA": "08"}], **line}])


def test_rate_code_11_is_not_subject():
    """0 % sin derecho a crédito (note 8.1) counts as No Sujeto (pp. 51-52), not exempt."""
    s = build_document(one_line(Impuesto=[{"Codigo": "01", "CodigoTarifaIVA": "11"}])).data["ResumenFactura"]
    assert s["TotalServNoSujeto"] == Decimal("1000.00000") and s["TotalNoSujeto"] == Decimal("1000.00000")
    assert "TotalServExentos" not in s and "TotalExento" not in s


@pytest.mark.parametrize("code", ["01", "03"])
def test_the_tax_of_a_gift_is_assumed_by_the_issuer(code):
    """Regalía/bonificación: IVA on MontoTotal, carried by ImpuestoAsumidoEmisorFabrica (pp. 37, 42,
    46); the breakdown is net of it (p. 53)."""
    built = build_document(one_line(Descuento=[{"MontoDescuento": "1000", "CodigoDescuento": code}]))
    line, s = built.data["DetalleServicio"]["LineaDetalle"][0], built.data["ResumenFactura"]
    assert line["Impuesto"][0]["Monto"] == Decimal("130.00000")
    assert line["ImpuestoAsumidoEmisorFabrica"] == Decimal("130.00000")
    assert line["ImpuestoNeto"] == 0 and line["MontoTotalLinea"] == 0
    assert s["TotalImpAsumEmisorFabrica"] == Decimal("130.00000") and s["TotalImpuesto"] == 0
    assert s["TotalDesgloseImpuesto"] == [{"Codigo": "01", "CodigoTarifaIVA": "08", "TotalMontoImpuesto": 0}]
    assert s["TotalComprobante"] == 0


def test_a_partial_gift_assumes_only_its_share():
    built = build_document(one_line(Cantidad="4", Descuento=[{"MontoDescuento": "1000", "CodigoDescuento": "01"}]))
    line = built.data["DetalleServicio"]["LineaDetalle"][0]
    assert line["Impuesto"][0]["Monto"] == Decimal("520.00000")  # on MontoTotal 4000
    assert line["ImpuestoAsumidoEmisorFabrica"] == Decimal("130.00000")
    assert line["ImpuestoNeto"] == Decimal("390.00000")  # the 3000 actually charged


def test_code_02_gift_keeps_the_ordinary_base():
    built = build_document(one_line(Descuento=[{"MontoDescuento": "1000", "CodigoDescuento": "02"}]))
    line = built.data["DetalleServicio"]["LineaDetalle"][0]
    assert line["Impuesto"][0]["Monto"] == 0 and line["ImpuestoAsumidoEmisorFabrica"] == 0


def test_combo_taxes_are_the_sum_of_their_components():
    """DetalleSurtido (pp. 29-38): no rate on the line, its tax the components' × Cantidad."""
    doc = json.loads((EXAMPLES / "factura-surtido.json").read_text())
    built = build_document(doc)
    line = built.data["DetalleServicio"]["LineaDetalle"][0]
    assert "CodigoTarifaIVA" not in line["Impuesto"][0] and "Tarifa" not in line["Impuesto"][0]
    assert line["SubTotal"] == Decimal("24000.00000") and line["BaseImponible"] == Decimal("24000.00000")
    assert line["Impuesto"][0]["Monto"] == Decimal("1440.00000")  # (70 + 650) × 2
    breakdown = {(d["Codigo"], d["CodigoTarifaIVA"]): d["TotalMontoImpuesto"]
                 for d in built.data["ResumenFactura"]["TotalDesgloseImpuesto"]}
    assert breakdown == {("01", "02"): Decimal("140.00000"), ("01", "08"): Decimal("1300.00000")}


@pytest.mark.parametrize("edit", [{"IVACobradoFabrica": "01"}, {"Impuesto": [{"Codigo": "07", "CodigoTarifaIVA": "08"}]}])
def test_base_imponible_is_editable_with_factory_vat_or_code_07(edit):
    built = build_document(one_line(BaseImponible="1500", **edit))
    line = built.data["DetalleServicio"]["LineaDetalle"][0]
    assert line["BaseImponible"] == Decimal("1500") and line["Impuesto"][0]["Monto"] == Decimal("195.00000")
    with pytest.raises(InputError, match="BaseImponible"):
        build_document(one_line(BaseImponible="1500"))  # not editable otherwise


def test_receipt_subtotal_is_the_payment_recorded():
    doc = json.loads((EXAMPLES / "recibo-pago.json").read_text())
    doc["ReciboElectronicoPago"]["DetalleServicio"]["LineaDetalle"][0]["SubTotal"] = "100000"
    built = build_document(doc)
    line, s = built.data["DetalleServicio"]["LineaDetalle"][0], built.data["ResumenFactura"]
    assert line["Impuesto"][0]["Monto"] == Decimal("13000.00000")
    assert line["MontoTotalLinea"] == Decimal("113000.00000")
    assert s["TotalVenta"] == s["TotalComprobante"] == Decimal("500000.00000")


def test_a_fully_exonerated_document_states_its_total_tax():
    """TotalImpuesto is present whenever lines are taxed, also at 0 (p. 54)."""
    exemption = {"TipoDocumentoEX1": "03", "NumeroDocumento": "LEY-7293", "Articulo": 1, "NombreInstitucion": "01",
                 "FechaEmisionEX": "2026-01-01T00:00:00-06:00", "TarifaExonerada": "13"}
    built = build_document(one_line(Impuesto=[{"Codigo": "01", "CodigoTarifaIVA": "08", "Exoneracion": exemption}]))
    s = built.data["ResumenFactura"]
    assert s["TotalImpuesto"] == 0 and s["TotalServExonerado"] == Decimal("1000.00000")
    assert b"<TotalImpuesto>0.00000</TotalImpuesto>" in built.xml
