"""Every rule of the annex (``hacienda_cr.documents.annex``) with one document that breaks it
and one that respects it.

For each rule: the compliant document builds and validates (XSD and rules); the violating
one is refused by the builder with that rule's code; with that rule alone switched off the
violating document builds (so no other rule catches it and the test fails when the rule is
removed), and the validator (what the simulator judges with) still reports the rule on the
XML it produced. ``docs/rules.md`` is generated from the same table (UPDATE_RULES_DOC=1
rewrites it; the test fails when it is stale).
"""

from __future__ import annotations

import ast
import copy
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from hacienda_cr.documents import annex, build_document, parse_document
from hacienda_cr.documents.annex import RULES
from hacienda_cr.errors import InputError
from hacienda_cr.validation import check_business_rules, check_reception, validate_document

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"
RULES_DOC = REPO / "docs" / "rules.md"
CLAVE_FE = "50620112600310112345600100001010000000001147102934"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def B(d: dict) -> dict:
    """The document's body (what is under its root)."""
    return next(v for k, v in d.items() if k != "Numeracion")


def L(d: dict, i: int = 0) -> dict:
    return B(d)["DetalleServicio"]["LineaDetalle"][i]


def T(d: dict, i: int = 0, j: int = 0) -> dict:
    return L(d, i)["Impuesto"][j]


def C(d: dict, k: int = 0) -> dict:
    """Component k of the combo on line 1 (factura-surtido)."""
    return L(d)["DetalleSurtido"]["LineaDetalleSurtido"][k]


def R(d: dict, i: int = 0) -> dict:
    return B(d)["InformacionReferencia"][i]


def S(d: dict) -> dict:
    return B(d)["ResumenFactura"]


def do(*steps: Callable[[dict], object]) -> Callable[[dict], None]:
    def apply(d: dict) -> None:
        for step in steps:
            step(d)

    return apply


def put(getter: Callable[[dict], dict], **values) -> Callable[[dict], None]:
    return lambda d: getter(d).update(values)


def drop(getter: Callable[[dict], dict], *keys: str) -> Callable[[dict], None]:
    def apply(d: dict) -> None:
        for key in keys:
            getter(d).pop(key, None)

    return apply


def xml_text(path: str, text: str | None) -> Callable[[etree._Element], None]:
    """Set (or with None remove) the element at ``path`` (names separated by /)."""

    def apply(tree: etree._Element) -> None:
        node = tree.find("/".join(f"{{*}}{p}" for p in path.split("/")))
        if text is None:
            node.getparent().remove(node)
        else:
            node.text = text

    return apply


NOTHING = do()
THIRD = {"IdentificacionTercero": {"Tipo": "02", "Numero": "3101987654"}, "NombreTercero": "Cobros Tercero S.A."}
FOREIGN_SELLER = {"Tipo": "05", "Numero": "US8847261"}
REF_16 = {"TipoDocIR": "16", "Numero": "INV-2026-77", "Codigo": "11", "Razon": "Servicio de proveedor no domiciliado"}
REF_DUA = {
    "TipoDocIR": "05",
    "Numero": "DUA-2026-1188",
    "FechaEmisionIR": "2026-11-19T08:00:00-06:00",
    "Codigo": "04",
    "Razon": "Declaración de mercancías de respaldo",
}
REF_EXO_11 = {
    "TipoDocIR": "99",
    "TipoDocRefOTRO": "Autorización de exoneración",
    "Numero": "AL-00012345-26",
    "FechaEmisionIR": "2026-01-15T00:00:00-06:00",
    "Codigo": "04",
    "Razon": "Exoneración de impuesto local concreta",
}
HEALTH = {"CodigoCABYS": "9310100000100", "UnidadMedida": "Sp", "Detalle": "Consulta de medicina general"}


def other_discount(nature: bool = False, code_text: bool = False) -> dict:
    """A discount of code 99 with its nature and/or the description of its code."""
    discount = {"MontoDescuento": "100", "CodigoDescuento": "99"}
    if nature:
        discount["NaturalezaDescuento"] = "Promoción local"
    if code_text:
        discount["CodigoDescuentoOTRO"] = "Promoción del mercado"
    return discount


def health_card(returned: int, paid_with: str) -> Callable[[dict], None]:
    """A health service at 4 % (its VAT: 92) with ``returned`` VAT given back, paid by ``paid_with``."""
    return do(
        put(L, **HEALTH),
        put(T, CodigoTarifaIVA="04"),
        put(S, TotalIVADevuelto=str(returned), MedioPago=[{"TipoMedioPago": paid_with}]),
    )


@dataclass
class Case:
    base: str
    bad: Callable
    good: Callable = NOTHING
    kind: str = "build"  # build | xml (a given document only) | reception (depends on the reception time)
    also: tuple[str, ...] = ()  # rules that the same mistake breaks too (amounts that follow from it)
    good_base: str | None = None
    prepare: Callable = NOTHING  # xml: what the base document needs before it is built


# Rule code (optionally #variant) -> its case.
CASES: dict[str, Case] = {
    # header
    "p18.clave": Case("factura", put(B, Clave=CLAVE_FE[:41] + "9" + CLAVE_FE[42:])),
    "p65.consecutivo-tipo": Case("factura", put(B, NumeroConsecutivo="00100001040000000001")),
    "p66.clave-consecutivo": Case("factura", put(B, Clave=CLAVE_FE[:29] + "04" + CLAVE_FE[31:])),
    "p19.clave-fecha": Case("factura", put(B, Clave="50621" + CLAVE_FE[5:])),
    "p66.clave-emisor": Case("factura", put(B, Clave=CLAVE_FE[:9] + "003109999999" + CLAVE_FE[21:])),
    "p66.clave-emisor#compra": Case(
        "factura-compra", put(B, Clave="506211126" + "000109870654" + "00100001080000000005" + "1" + "11223344")
    ),
    "p56.contingencia": Case(
        "factura",
        put(lambda d: d["Numeracion"], Situacion="2"),
        do(
            put(lambda d: d["Numeracion"], Situacion="2"),
            put(
                B,
                InformacionReferencia=[
                    {**REF_DUA, "TipoDocIR": "08", "Codigo": "05", "Razon": "Sustituye comprobante provisional"}
                ],
            ),
        ),
    ),
    "p19.fecha-formato": Case("factura", xml_text("FechaEmision", "2026-11-20T10:15:00"), kind="xml"),
    "p19.fecha-emision": Case("factura", timedelta(hours=-1), timedelta(minutes=1), kind="reception"),
    "p18.proveedor-sistemas": Case("factura", put(B, ProveedorSistemas="CRLibre Demo")),
    "p18.actividad": Case("factura", put(B, CodigoActividadEmisor="62010A")),
    # parties
    "p20.identificacion": Case("factura", lambda d: B(d)["Receptor"]["Identificacion"].update(Numero="10987065")),
    "p19.emisor-extranjero": Case(
        "factura-compra",
        do(put(lambda d: B(d)["Emisor"], Identificacion=FOREIGN_SELLER)),
        do(put(lambda d: B(d)["Emisor"], Identificacion=FOREIGN_SELLER), put(R, **REF_16)),
    ),
    "p20.emisor-no-contribuyente": Case(
        "factura-compra",
        put(lambda d: B(d)["Emisor"], Identificacion={"Tipo": "06", "Numero": "X1987654"}),
        do(
            put(lambda d: B(d)["Emisor"], Identificacion={"Tipo": "06", "Numero": "X1987654"}),
            put(B, CondicionVenta="13"),
        ),
    ),
    "p21.emisor-ubicacion": Case("factura-compra", drop(lambda d: B(d)["Emisor"], "Ubicacion")),
    "p21.otras-senas-extranjero": Case(
        "factura-compra",
        put(lambda d: B(d)["Emisor"], OtrasSenasExtranjero="Calle 5, Ciudad de Panamá"),
        do(
            put(
                lambda d: B(d)["Emisor"],
                OtrasSenasExtranjero="Calle 5, Ciudad de Panamá",
                Identificacion=FOREIGN_SELLER,
            ),
            put(R, **REF_16),
        ),
    ),
    "p22.telefono": Case("factura", lambda d: B(d)["Emisor"]["Telefono"].update(NumTelefono=2222333)),
    "p22.correo": Case("factura", put(lambda d: B(d)["Receptor"], CorreoElectronico="no-at-sign.cr")),
    "p22.receptor-extranjero": Case(
        "factura",
        do(
            put(lambda d: B(d)["Receptor"], Identificacion=FOREIGN_SELLER),
            drop(lambda d: B(d)["Receptor"], "Ubicacion"),
        ),
        do(
            put(lambda d: B(d)["Receptor"], Identificacion=FOREIGN_SELLER, OtrasSenasExtranjero="1 Main St, Miami"),
            drop(lambda d: B(d)["Receptor"], "Ubicacion"),
            put(B, CondicionVenta="12", InformacionReferencia=[REF_DUA]),
        ),
    ),
    "p23.receptor-ubicacion": Case(
        "tiquete",
        put(
            B,
            Receptor={
                "Nombre": "John Smith",
                "Identificacion": {"Tipo": "05", "Numero": "P1234567"},
                "Ubicacion": {"Provincia": 1, "Canton": 1, "Distrito": 1, "OtrasSenas": "Hotel del centro"},
            },
        ),
        put(B, Receptor={"Nombre": "John Smith", "Identificacion": {"Tipo": "05", "Numero": "P1234567"}}),
    ),
    "p24.receptor-otras-senas": Case(
        "factura",
        lambda d: B(d)["Receptor"]["Ubicacion"].update(OtrasSenas="x" * 200),
        lambda d: B(d)["Receptor"]["Ubicacion"].update(OtrasSenas="x" * 160),
    ),
    "p22.receptor-exportacion": Case("factura-exportacion", drop(lambda d: B(d)["Receptor"], "Identificacion")),
    # sale conditions
    "p24.condicion-pago": Case("nota-credito", put(B, CondicionVenta="11"), put(B, CondicionVenta="08")),
    "p69.condicion-bienes-usados": Case("tiquete", put(B, CondicionVenta="13")),
    "p25.condicion-otros": Case(
        "factura", put(B, CondicionVenta="99"), put(B, CondicionVenta="99", CondicionVentaOtros="Permuta de servicios")
    ),
    "p25.plazo-credito": Case("factura", drop(B, "PlazoCredito")),
    "p25.plazo-credito#cero": Case("factura", put(B, PlazoCredito=0), put(B, PlazoCredito=1)),
    "p25.plazo-credito#10": Case(
        "factura", do(put(B, CondicionVenta="10"), drop(B, "PlazoCredito")), put(B, CondicionVenta="10")
    ),
    # lines
    "p26.detalle-servicio": Case(
        "tiquete",
        drop(B, "DetalleServicio"),
        do(
            drop(B, "DetalleServicio"),
            put(B, OtrosCargos=[{"TipoDocumentoOC": "04", **THIRD, "Detalle": "Recibo de luz", "MontoCargo": "15000"}]),
        ),
    ),
    "p26.partida-arancelaria": Case("factura-exportacion", drop(L, "PartidaArancelaria")),
    "p26.partida-arancelaria#digitos": Case("factura-exportacion", put(L, PartidaArancelaria="0901.11.0000")),
    "p26.cabys": Case("tiquete", put(L, CodigoCABYS="23911000001AB")),
    "p26.cabys-notas": Case(
        "nota-credito",
        drop(L, "CodigoCABYS"),
        do(drop(L, "CodigoCABYS"), put(R, Codigo="09", Razon="Ajuste financiero")),
    ),
    "p27.codigo-comercial-surtido": Case(
        "tiquete",
        put(L, CodigoCABYS="2399999002200"),
        put(L, CodigoCABYS="2399999002200", CodigoComercial=[{"Tipo": "03", "Codigo": "7441001234567"}]),
    ),
    "p27.codigo-comercial-surtido#combo": Case(
        "factura-surtido", lambda d: L(d)["CodigoComercial"][0].update(Tipo="01")
    ),
    "p27.cantidad": Case("tiquete", put(L, Cantidad="0")),
    "p35.precio-unitario": Case("tiquete", put(L, PrecioUnitario="0")),
    "p35.monto-total": Case("tiquete", put(L, MontoTotal="2400")),
    "p35.monto-descuento": Case("tiquete", put(L, Descuento=[{"MontoDescuento": "5000", "CodigoDescuento": "07"}])),
    "p35.descuento-otro": Case(
        "tiquete", put(L, Descuento=[other_discount(nature=True)]), put(L, Descuento=[other_discount(True, True)])
    ),
    "p36.naturaleza-descuento": Case(
        "tiquete", put(L, Descuento=[other_discount(code_text=True)]), put(L, Descuento=[other_discount(True, True)])
    ),
    "p36.subtotal": Case("tiquete", put(L, SubTotal="2000")),
    "p36.subtotal#combo": Case("factura-surtido", put(L, SubTotal="23000")),
    "p36.iva-fabrica": Case(
        "tiquete", put(L, IVACobradoFabrica="02"), do(put(L, IVACobradoFabrica="02"), put(T, CodigoTarifaIVA="10"))
    ),
    "p36.base-imponible": Case(
        "tiquete", put(L, BaseImponible="100"), put(L, IVACobradoFabrica="01", BaseImponible="2000")
    ),
    "p36.base-imponible#fabrica": Case(
        "tiquete",
        put(L, IVACobradoFabrica="01", BaseImponible="0"),
        put(L, IVACobradoFabrica="01", BaseImponible="2000"),
    ),
    "p37.impuesto-otro": Case(
        "tiquete",
        lambda d: L(d)["Impuesto"].append({"Codigo": "99", "Tarifa": "1"}),
        lambda d: L(d)["Impuesto"].append({"Codigo": "99", "Tarifa": "1", "CodigoImpuestoOTRO": "Impuesto municipal"}),
    ),
    "p38.codigo-tarifa-iva": Case("tiquete", do(drop(T, "CodigoTarifaIVA"), put(T, Tarifa="1"))),
    "p38.codigo-tarifa-iva#combo": Case("factura-surtido", put(T, CodigoTarifaIVA="08")),
    "p38.tarifa-iva": Case("tiquete", put(T, Tarifa="4")),
    "p38.tarifa": Case(
        "tiquete",
        lambda d: L(d)["Impuesto"].insert(0, {"Codigo": "02", "Monto": "10"}),
        lambda d: L(d)["Impuesto"].insert(0, {"Codigo": "02", "Tarifa": "10"}),
    ),
    "p38.tarifa#cemento": Case(
        "tiquete",
        lambda d: L(d)["Impuesto"].insert(0, {"Codigo": "12", "Tarifa": "4"}),
        lambda d: L(d)["Impuesto"].insert(0, {"Codigo": "12", "Tarifa": "5"}),
    ),
    "p71.tarifa-transitoria": Case(
        "tiquete", put(T, CodigoTarifaIVA="07"), put(T, CodigoTarifaIVA="07"), good_base="nota-credito"
    ),
    "p71.tarifa-transitoria#surtido": Case(
        "factura-surtido", put(lambda d: C(d)["ImpuestoSurtido"][0], CodigoTarifaIVASurtido="06")
    ),
    "p39.factor-iva": Case(
        "tiquete",
        lambda d: L(d).update(Impuesto=[{"Codigo": "08", "Monto": "10"}]),
        lambda d: L(d).update(Impuesto=[{"Codigo": "08", "FactorCalculoIVA": "0.05"}]),
    ),
    "p39.impuesto-especifico": Case(
        "tiquete", lambda d: L(d, 1)["Impuesto"][0].update(DatosImpuestoEspecifico=None, Monto="112.5")
    ),
    "p39.impuesto-especifico#porcentaje": Case(
        "tiquete", lambda d: L(d, 1)["Impuesto"][0]["DatosImpuestoEspecifico"].update(Porcentaje=None, Proporcion="45")
    ),
    "p40.proporcion": Case(
        "tiquete", lambda d: L(d, 1)["Impuesto"][0]["DatosImpuestoEspecifico"].update(Proporcion="40")
    ),
    "p42.monto-impuesto": Case("tiquete", put(T, Monto="99")),
    "p42.monto-impuesto#regalia": Case(
        "tiquete",
        do(put(L, Descuento=[{"MontoDescuento": "2300", "CodigoDescuento": "01"}]), put(T, Monto="0")),
        put(L, Descuento=[{"MontoDescuento": "2300", "CodigoDescuento": "01"}]),
    ),
    "p42.monto-impuesto#especifico": Case("tiquete", lambda d: L(d, 1)["Impuesto"][0].update(Monto="100")),
    "p42.monto-impuesto#combo": Case("factura-surtido", put(T, Monto="1400")),
    "p44.exoneracion-otro": Case(
        "factura-exoneracion-dolares", drop(lambda d: T(d, 1)["Exoneracion"], "TipoDocumentoOTRO")
    ),
    "p45.exoneracion-articulo": Case("factura-exoneracion-dolares", drop(lambda d: T(d)["Exoneracion"], "Articulo")),
    "p74.exoneracion-notas": Case(
        "factura-exoneracion-dolares", put(lambda d: T(d)["Exoneracion"], TipoDocumentoEX1="05")
    ),
    "p45.institucion-otros": Case(
        "factura-exoneracion-dolares", drop(lambda d: T(d, 1)["Exoneracion"], "NombreInstitucionOtros")
    ),
    "p45.tarifa-exonerada": Case(
        "factura-exoneracion-dolares", put(lambda d: T(d)["Exoneracion"], TarifaExonerada="15")
    ),
    "p46.monto-exoneracion": Case(
        "factura-exoneracion-dolares", put(lambda d: T(d)["Exoneracion"], MontoExoneracion="1")
    ),
    "p46.impuesto-asumido": Case("tiquete", put(L, ImpuestoAsumidoEmisorFabrica="5")),
    "p46.impuesto-asumido#regalia": Case("factura-surtido", put(lambda d: L(d, 1), ImpuestoAsumidoEmisorFabrica="0")),
    "p46.impuesto-neto": Case("tiquete", put(L, ImpuestoNeto="1")),
    "p47.monto-total-linea": Case("tiquete", put(L, MontoTotalLinea="1")),
    "p26.numero-linea": Case("tiquete", put(L, NumeroLinea=7)),
    # combos
    "p30.cantidad-surtido": Case("factura-surtido", put(C, CantidadSurtido="0")),
    "p30.precio-surtido": Case("factura-surtido", put(C, PrecioUnitarioSurtido="0")),
    "p30.monto-total-surtido": Case("factura-surtido", put(C, MontoTotalSurtido="7100")),
    "p30.descuento-surtido": Case(
        "factura-surtido",
        put(C, DescuentoSurtido=[{"MontoDescuentoSurtido": "8000", "CodigoDescuentoSurtido": "07"}]),
        put(C, DescuentoSurtido=[{"MontoDescuentoSurtido": "1000", "CodigoDescuentoSurtido": "07"}]),
    ),
    "p31.descuento-surtido-otros": Case(
        "factura-surtido",
        put(C, DescuentoSurtido=[{"MontoDescuentoSurtido": "1000", "CodigoDescuentoSurtido": "99"}]),
        put(
            C,
            DescuentoSurtido=[
                {
                    "MontoDescuentoSurtido": "1000",
                    "CodigoDescuentoSurtido": "99",
                    "DescuentoSurtidoOtros": "Lanzamiento",
                }
            ],
        ),
    ),
    "p31.subtotal-surtido": Case("factura-surtido", put(C, SubTotalSurtido="6000")),
    "p31.iva-fabrica-surtido": Case(
        "factura-surtido",
        put(C, IVACobradoFabricaSurtido="02"),
        do(
            put(C, IVACobradoFabricaSurtido="02"),
            put(lambda d: C(d)["ImpuestoSurtido"][0], CodigoTarifaIVASurtido="10"),
        ),
    ),
    "p31.base-surtido": Case("factura-surtido", put(C, BaseImponibleSurtido="6500")),
    "p31.base-surtido#fabrica": Case(
        "factura-surtido",
        put(C, IVACobradoFabricaSurtido="01", BaseImponibleSurtido="0"),
        put(C, IVACobradoFabricaSurtido="01", BaseImponibleSurtido="6000"),
    ),
    "p32.impuesto-otro-surtido": Case(
        "factura-surtido",
        lambda d: C(d)["ImpuestoSurtido"].append({"CodigoImpuestoSurtido": "99", "TarifaSurtido": "1"}),
        lambda d: C(d)["ImpuestoSurtido"].append(
            {"CodigoImpuestoSurtido": "99", "TarifaSurtido": "1", "CodigoImpuestoOTROSurtido": "Impuesto municipal"}
        ),
    ),
    "p32.tarifa-iva-surtido": Case(
        "factura-surtido",
        do(
            drop(lambda d: C(d)["ImpuestoSurtido"][0], "CodigoTarifaIVASurtido"),
            put(lambda d: C(d)["ImpuestoSurtido"][0], TarifaSurtido="1"),
        ),
    ),
    "p32.tarifa-iva-surtido#tarifa": Case(
        "factura-surtido", put(lambda d: C(d)["ImpuestoSurtido"][0], TarifaSurtido="4")
    ),
    "p33.impuesto-especifico-surtido": Case(
        "factura-surtido",
        lambda d: C(d)["ImpuestoSurtido"].insert(0, {"CodigoImpuestoSurtido": "04", "MontoImpuestoSurtido": "10"}),
        lambda d: C(d)["ImpuestoSurtido"].insert(
            0,
            {
                "CodigoImpuestoSurtido": "04",
                "DatosImpuestoEspecificoSurtido": {
                    "CantidadUnidadMedidaSurtido": "750",
                    "PorcentajeSurtido": "12",
                    "ImpuestoUnidadSurtido": "0.1",
                },
            },
        ),
    ),
    "p34.monto-impuesto-surtido": Case(
        "factura-surtido", put(lambda d: C(d)["ImpuestoSurtido"][0], MontoImpuestoSurtido="75")
    ),
    # other charges
    "p47.cargo-otro": Case(
        "tiquete",
        put(B, OtrosCargos=[{"TipoDocumentoOC": "99", "Detalle": "Empaque especial", "MontoCargo": "100"}]),
        put(
            B,
            OtrosCargos=[
                {
                    "TipoDocumentoOC": "99",
                    "TipoDocumentoOTROS": "Empaque especial",
                    "Detalle": "Empaque",
                    "MontoCargo": "100",
                }
            ],
        ),
    ),
    "p47.cargo-tercero": Case(
        "tiquete",
        put(B, OtrosCargos=[{"TipoDocumentoOC": "04", "Detalle": "Recibo de luz", "MontoCargo": "15000"}]),
        put(B, OtrosCargos=[{"TipoDocumentoOC": "04", **THIRD, "Detalle": "Recibo de luz", "MontoCargo": "15000"}]),
    ),
    "p49.monto-cargo": Case(
        "tiquete",
        put(B, OtrosCargos=[{"TipoDocumentoOC": "06", "Detalle": "Servicio", "MontoCargo": "0"}]),
        put(B, OtrosCargos=[{"TipoDocumentoOC": "06", "Detalle": "Servicio", "MontoCargo": "380"}]),
    ),
    # summary
    "p50.tipo-cambio": Case("factura", put(S, CodigoTipoMoneda={"CodigoMoneda": "CRC", "TipoCambio": "2"})),
    "p50.tipo-cambio#usd": Case(
        "factura-exportacion", put(S, CodigoTipoMoneda={"CodigoMoneda": "USD", "TipoCambio": "0"})
    ),
    "p50.total-gravado": Case(
        "tiquete", put(S, TotalMercanciasGravadas="1500", TotalMercanciasExentas="2300"), also=("p50.total-exento",)
    ),
    "p50.total-exento": Case(
        "tiquete",
        do(put(T, CodigoTarifaIVA="10"), put(S, TotalMercanciasExentas="0", TotalMercanciasGravadas="3800")),
        put(T, CodigoTarifaIVA="10"),
        also=("p50.total-gravado",),
    ),
    "p51.total-exonerado": Case(
        "factura-exoneracion-dolares",
        put(S, TotalServExonerado="0", TotalServGravados="1200.5"),
        also=("p50.total-gravado",),
    ),
    "p51.total-no-sujeto": Case(
        "tiquete",
        do(put(T, CodigoTarifaIVA="11"), put(S, TotalMercNoSujeta="0", TotalMercanciasExentas="2300")),
        put(T, CodigoTarifaIVA="11"),
        also=("p50.total-exento",),
    ),
    "p52.totales-clase": Case("tiquete", put(S, TotalGravado="3700"), also=("p53.total-venta",)),
    "p53.total-venta": Case("tiquete", put(S, TotalVenta="3700")),
    "p53.total-descuentos": Case(
        "tiquete",
        do(put(L, Descuento=[{"MontoDescuento": "100", "CodigoDescuento": "07"}]), put(S, TotalDescuentos="1")),
        put(L, Descuento=[{"MontoDescuento": "100", "CodigoDescuento": "07"}]),
    ),
    "p53.total-venta-neta": Case("tiquete", put(S, TotalVentaNeta="1")),
    "p53.desglose-impuesto": Case(
        "tiquete",
        put(
            S,
            TotalDesgloseImpuesto=[
                {"Codigo": "01", "CodigoTarifaIVA": "02", "TotalMontoImpuesto": "24"},
                {"Codigo": "01", "CodigoTarifaIVA": "08", "TotalMontoImpuesto": "209.625"},
                {"Codigo": "04", "TotalMontoImpuesto": "112.5"},
            ],
        ),
    ),
    "p53.desglose-impuesto#falta": Case(
        "factura-exoneracion-dolares", xml_text("ResumenFactura/TotalDesgloseImpuesto", None), kind="xml"
    ),
    "p54.total-impuesto": Case("tiquete", put(S, TotalImpuesto="1")),
    "p54.total-impuesto#exonerado": Case(
        "factura-exoneracion-dolares",
        xml_text("ResumenFactura/TotalImpuesto", None),
        kind="xml",
        prepare=do(lambda d: T(d, 1)["Exoneracion"].update(TarifaExonerada="13"), lambda d: B(d).pop("OtrosCargos")),
    ),
    "p54.total-impuesto-asumido": Case("factura-surtido", put(S, TotalImpAsumEmisorFabrica="300")),
    "p54.iva-devuelto": Case("tiquete", health_card(92, "01"), health_card(92, "02")),
    "p54.iva-devuelto#monto": Case("tiquete", health_card(100, "02"), health_card(92, "02")),
    "p54.total-otros-cargos": Case(
        "tiquete",
        put(
            B,
            OtrosCargos=[{"TipoDocumentoOC": "06", "Detalle": "Servicio", "PorcentajeOC": "10"}],
            ResumenFactura={"MedioPago": [{"TipoMedioPago": "01"}], "TotalOtrosCargos": "300"},
        ),
        put(B, OtrosCargos=[{"TipoDocumentoOC": "06", "Detalle": "Servicio", "PorcentajeOC": "10"}]),
    ),
    "p55.medio-pago": Case(
        "tiquete", drop(S, "MedioPago"), do(drop(S, "MedioPago"), put(B, CondicionVenta="02", PlazoCredito=8))
    ),
    "p55.medio-pago#tipo": Case("tiquete", put(S, MedioPago=[{"TotalMedioPago": "4145.125"}])),
    "p55.medio-pago-otros": Case(
        "tiquete",
        put(S, MedioPago=[{"TipoMedioPago": "99"}]),
        put(S, MedioPago=[{"TipoMedioPago": "99", "MedioPagoOtros": "Vale"}]),
    ),
    "p55.total-medio-pago": Case("factura", lambda d: S(d)["MedioPago"][0].update(TotalMedioPago="800000")),
    "p55.total-medio-pago#cero": Case(
        "tiquete",
        put(S, MedioPago=[{"TipoMedioPago": "01", "TotalMedioPago": "0"}]),
        put(S, MedioPago=[{"TipoMedioPago": "01", "TotalMedioPago": "4145.125"}]),
    ),
    "p55.total-comprobante": Case("tiquete", put(S, TotalComprobante="4000")),
    "p55.total-comprobante#recibo": Case("recibo-pago", put(S, TotalComprobante="565000")),
    # references
    "p56.referencia": Case(
        "factura-exoneracion-dolares",
        put(lambda d: T(d)["Exoneracion"], TipoDocumentoEX1="11"),
        do(put(lambda d: T(d)["Exoneracion"], TipoDocumentoEX1="11"), put(B, InformacionReferencia=[REF_EXO_11])),
    ),
    "p56.referencia-16": Case(
        "nota-credito", put(R, TipoDocIR="16", Numero="INV-2026-77"), put(R, TipoDocIR="16"), good_base="factura-compra"
    ),
    "p56.referencia-rep": Case("recibo-pago", put(R, TipoDocIR="05", Numero="NDESP-77")),
    "p73.referencia-09": Case(
        "factura", put(B, InformacionReferencia=[{**REF_DUA, "TipoDocIR": "09", "Numero": CLAVE_FE}])
    ),
    "p56.tipo-doc-otro": Case(
        "nota-credito",
        put(R, TipoDocIR="99", Numero="X-1"),
        put(R, TipoDocIR="99", Numero="X-1", TipoDocRefOTRO="Contrato marco"),
    ),
    "p57.referencia-numero": Case("nota-credito", drop(R, "Numero"), do(drop(R, "Numero"), put(R, TipoDocIR="13"))),
    "p57.referencia-clave": Case("nota-credito", put(R, Numero="FAC-0001")),
    "p57.referencia-clave#tipo": Case("nota-credito", put(R, Numero=CLAVE_FE[:29] + "04" + CLAVE_FE[31:])),
    "p57.referencia-fecha": Case(
        "nota-credito",
        put(R, FechaEmisionIR="2016-11-21T09:00:00-06:00"),
        put(R, FechaEmisionIR="2016-11-23T09:00:00-06:00"),
    ),
    "p57.referencia-fecha#posterior": Case("nota-credito", put(R, FechaEmisionIR="2026-12-01T00:00:00-06:00")),
    "p57.referencia-codigo": Case("nota-credito", drop(R, "Codigo")),
    "p57.codigo-otro": Case(
        "nota-credito", put(R, Codigo="99"), put(R, Codigo="99", CodigoReferenciaOTRO="Ajuste de precio pactado")
    ),
    "p57.referencia-razon": Case("nota-credito", drop(R, "Razon")),
    "p57.referencia-razon#corta": Case("nota-credito", put(R, Razon="ab"), put(R, Razon="abc")),
    "p72.codigo-12": Case("nota-debito", put(R, Codigo="12"), put(R, Codigo="12"), good_base="nota-credito"),
    # Mensaje Receptor
    "p60.mensaje-detalle": Case("mensaje-receptor-rechazo", drop(B, "DetalleMensaje")),
    "p60.mensaje-detalle#corto": Case(
        "mensaje-receptor-rechazo", put(B, DetalleMensaje="Mal"), put(B, DetalleMensaje="Malas")
    ),
    "p60.mensaje-cedula": Case("mensaje-receptor", put(B, NumeroCedulaEmisor="12345")),
    "p61.mensaje-consecutivo": Case("mensaje-receptor", put(B, NumeroConsecutivoReceptor="00100001070000000001")),
    "p60.mensaje-fecha": Case("mensaje-receptor", timedelta(days=3660), timedelta(days=1), kind="reception"),
}


def _code(case_id: str) -> str:
    return case_id.split("#")[0]


def _build(d: dict):
    return build_document(copy.deepcopy(d))


def _codes(issues) -> set[str]:
    return {i.code for i in issues}


@pytest.mark.parametrize("case_id", CASES)
def test_rule(case_id, schema_store):
    case, code = CASES[case_id], _code(case_id)
    assert code in RULES, f"{case_id}: no such rule"
    good = example(case.good_base or case.base)
    (case.good if case.kind == "build" else case.prepare)(good)
    built = _build(good)
    assert validate_document(built.xml, store=schema_store, signed=False).issues == []

    if case.kind == "reception":
        parsed = parse_document(built.xml)
        fecha = parsed.data["FechaEmisionDoc" if parsed.doc_type.family == "receptor" else "FechaEmision"]
        assert check_reception(parsed, fecha + case.good) == []
        assert _codes(check_reception(parsed, fecha + case.bad)) == {code}
        with annex.disabled([code]):
            assert check_reception(parsed, fecha + case.bad) == []
        return
    if case.kind == "xml":
        tree = etree.fromstring(built.xml)
        case.bad(tree)
        parsed = parse_document(etree.tostring(tree))
        assert code in _codes(check_business_rules(parsed))
        with annex.disabled([code]):
            assert _codes(check_business_rules(parsed)) <= set(case.also)
        return

    bad = example(case.base)
    case.bad(bad)
    with pytest.raises(InputError) as refused:
        _build(bad)
    found = _codes(refused.value.issues)
    assert code in found, refused.value.issues
    assert found <= {code, *case.also}, refused.value.issues
    with annex.disabled([code, *case.also]):
        accepted = _build(bad)  # nothing else catches it
    reported = _codes(check_business_rules(parse_document(accepted.xml)))
    assert code in reported, f"the validator does not see {case_id}"


def test_every_rule_has_a_case():
    tested = {_code(c) for c in CASES}
    assert set(RULES) == tested, (
        f"rules without a case: {set(RULES) - tested}; cases without a rule: {tested - set(RULES)}"
    )


# -- docs/rules.md ------------------------------------------------------------------------

SOURCES = [
    "src/hacienda_cr/documents/rules.py",
    "src/hacienda_cr/documents/party_rules.py",
    "src/hacienda_cr/documents/line_rules.py",
    "src/hacienda_cr/documents/reference_rules.py",
    "src/hacienda_cr/documents/line_amounts.py",
    "src/hacienda_cr/documents/totals.py",
    "src/hacienda_cr/validation.py",
]


def enforced_by() -> dict[str, list[str]]:
    """Rule name -> the functions that cite it (``A.NAME``), found in the source."""
    where: dict[str, list[str]] = {}
    for source in SOURCES:
        tree = ast.parse((REPO / source).read_text())
        module = source.removeprefix("src/").removesuffix(".py").replace("/", ".")
        # Functions, and module-level constants (a tax's keys name the rule its amounts follow).
        places = [(n.name, n) for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        places += [
            (n.targets[0].id, n) for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name)
        ]
        for place, scope in places:
            for node in ast.walk(scope):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "A":
                    name = f"{module}.{place}"
                    if name not in where.setdefault(node.attr, []):
                        where[node.attr].append(name)
    return where


def render_rules_doc() -> str:
    names = {rule.code: name for name, rule in vars(annex.A).items() if isinstance(rule, annex.Rule)}
    where = enforced_by()
    ordered = sorted(RULES.values(), key=lambda r: (r.page, r.code))
    lines = [
        "# The annex's rejection rules",
        "",
        "<!-- Generated by tests/lib/test_annex_rules.py (UPDATE_RULES_DOC=1); do not edit by hand. -->",
        "",
        "Every rule of *Anexos y Estructuras v4.4*, Anexo 1 and its notes, that makes Hacienda reject a",
        "document, as `hacienda_cr` enforces it: the builder refuses such a document before it is signed,",
        "the validator (and so the simulator, whose `DetalleMensaje` cites the rule's code) rejects it.",
        "A rule's code starts with its page in the annex. Each rule's test builds one document that",
        "breaks it and one that respects it, and fails when the rule is removed",
        "(`tests/lib/test_annex_rules.py::test_rule[<code>]`). What the official XSD already refuses",
        "(lengths, code lists, required elements) is not repeated here: the XSD is validated too.",
        "",
        f"**{len(RULES)} rules** are enforced.",
        "",
        "| Rule | Page | What is refused | Where enforced | Test |",
        "|---|---|---|---|---|",
    ]
    for rule in ordered:
        cases = [c for c in CASES if _code(c) == rule.code]
        functions = ", ".join(f"`{w}`" for w in where.get(names[rule.code], [])) or "—"
        tests = ", ".join(f"`test_rule[{c}]`" for c in cases)
        lines.append(f"| `{rule.code}` | {rule.page} | {rule.text} | {functions} | {tests} |")
    lines += [
        "",
        "## Where the annex is ambiguous, and the reading chosen",
        "",
        "| Rule | Reading |",
        "|---|---|",
        *(f"| `{r.code}` | {r.reading} |" for r in ordered if r.reading),
        "",
        "## Where the 2026 revision may differ",
        "",
        "The text of the April 2026 revision is not available; its XSDs (schema set `v4.4-2026`) are",
        "followed: an alphanumeric Clave, reference codes 13-17 and reference types 19 (FEE) and 20",
        "(REP). Every rule above applies to both schema sets, except where noted here:",
        "",
        "| Rule | Note |",
        "|---|---|",
        *(f"| `{r.code}` | {r.revision} |" for r in ordered if r.revision),
        "",
        "## What only Hacienda can check",
        "",
        "These rules of the annex need Hacienda's registers; no document alone shows them, so they are",
        "not checked here (the simulator accepts what they would refuse):",
        "",
        "| Page | Rule |",
        "|---|---|",
        *(f"| {page} | {text} |" for page, text in annex.NOT_CHECKABLE),
        "",
    ]
    return "\n".join(lines)


def test_rules_doc_is_current():
    text = render_rules_doc()
    if os.environ.get("UPDATE_RULES_DOC"):
        RULES_DOC.write_text(text)
    assert RULES_DOC.read_text() == text, "docs/rules.md is stale: run with UPDATE_RULES_DOC=1"


def test_every_rule_is_enforced_somewhere():
    where = enforced_by()
    names = [name for name, rule in vars(annex.A).items() if isinstance(rule, annex.Rule)]
    assert [n for n in names if n not in where] == []
