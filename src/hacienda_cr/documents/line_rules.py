"""The rules of the detail: lines, their combos (DetalleSurtido), discounts, taxes,
exonerations, and the other charges. Amounts are reconciled in ``line_amounts``; this module
checks what the annex requires beyond them."""

from __future__ import annotations

import re
from datetime import datetime

from hacienda_cr.documents.annex import A
from hacienda_cr.documents.line_amounts import IVA_CODES, IVA_RATES, SURTIDO_CABYS
from hacienda_cr.documents.party_rules import check_identification
from hacienda_cr.documents.tree_data import child_path
from hacienda_cr.documents.types import DocumentType
from hacienda_cr.errors import Issue

NOTES = ("02", "03")
FEE = "09"
NO_DETAIL_CHARGES = {"04", "08", "09", "10"}  # other charges a document may carry without lines (p. 26)
FINANCIAL_NOTE_CODES = {"09", "10"}
CABYS_FROM = datetime(2020, 12, 1).date()
TRANSITIONAL_RATES = {"05", "06", "07"}
DISABLED_EXONERATIONS = {"01", "05", "06", "07"}
ARTICLE_EXONERATIONS = {"02", "03", "06", "07", "08"}
SPECIFIC_TAXES = {"03", "04", "05", "06"}
COMBO_SPECIFIC_TAXES = {"04", "05", "06"}
CEMENT_RATE = 5
_DIGITS_12 = re.compile(r"\d{12}")
_CABYS = re.compile(r"\d{13}")


def _financial_or_old(doc: dict) -> bool:
    """A note that needs no CABYS: a financial note, or one to a document issued before CABYS."""
    for ref in doc.get("InformacionReferencia") or []:
        if ref.get("Codigo") in FINANCIAL_NOTE_CODES:
            return True
        when = ref.get("FechaEmisionIR")
        if isinstance(when, datetime) and when.date() < CABYS_FROM:
            return True
    return False


def check_detail(doc_type: DocumentType, doc: dict, path: str, issues: list[Issue]) -> None:
    code = doc_type.code
    detail = doc.get("DetalleServicio")
    lines = (detail or {}).get("LineaDetalle") or []
    charges = doc.get("OtrosCargos") or []
    if not lines and doc_type.family == "sale":
        if (
            code not in ("01", "04", *NOTES)
            or not charges
            or any(c.get("TipoDocumentoOC") not in NO_DETAIL_CHARGES for c in charges)
        ):
            issues.append(
                A.DETALLE_SERVICIO.issue(
                    child_path(path, "DetalleServicio"),
                    "is required: a document without lines may only bill other charges of types 04, 08, 09 or 10",
                )
            )
    detail_path = child_path(path, "DetalleServicio")
    cabys_optional = code in NOTES and _financial_or_old(doc)
    for i, line in enumerate(lines):
        # paths made into text only for an issue (path_text)
        _check_line(code, line, (detail_path, "LineaDetalle", i), cabys_optional, issues)
    for i, charge in enumerate(charges):
        _check_charge(charge, child_path(path, "OtrosCargos", i), issues)


def _check_line(code: str, line: dict, lpath: str | tuple, cabys_optional: bool, issues: list[Issue]) -> None:
    cabys = line.get("CodigoCABYS")
    if cabys is not None and not _CABYS.fullmatch(cabys):
        issues.append(A.CABYS.issue(child_path(lpath, "CodigoCABYS"), f"{cabys!r} is not a CABYS code (13 digits)"))
    if cabys is None and code in NOTES and not cabys_optional:
        issues.append(
            A.CABYS_NOTAS.issue(
                child_path(lpath, "CodigoCABYS"),
                "is required in a note's lines, except in financial notes (reference codes 09, 10) and notes to "
                "documents issued before 01/12/2020",
            )
        )
    partida = line.get("PartidaArancelaria")
    if partida is not None and not _DIGITS_12.fullmatch(partida):
        issues.append(
            A.PARTIDA_ARANCELARIA.issue(child_path(lpath, "PartidaArancelaria"), f"{partida!r} must be 12 digits")
        )
    if code == FEE and partida is None and cabys and cabys[0] in "01234":
        issues.append(
            A.PARTIDA_ARANCELARIA.issue(
                child_path(lpath, "PartidaArancelaria"), "is required for goods (CABYS 0-4) in an export invoice"
            )
        )
    combo = line.get("DetalleSurtido")
    if combo or cabys in SURTIDO_CABYS:
        codes = line.get("CodigoComercial") or []
        if not any(c.get("Tipo") == "03" and len(c.get("Codigo") or "") >= 3 for c in codes):
            issues.append(
                A.CODIGO_COMERCIAL_SURTIDO.issue(
                    child_path(lpath, "CodigoComercial"),
                    "a combo (surtido) carries the manufacturer's code (Tipo 03: SKU, GTIN…, at least 3 characters)",
                )
            )
    quantity = line.get("Cantidad")
    if quantity is not None and quantity <= 0:
        issues.append(A.CANTIDAD.issue(child_path(lpath, "Cantidad"), f"{quantity} must be above zero"))
    price = line.get("PrecioUnitario")
    if price is not None and price <= 0:
        issues.append(
            A.PRECIO_UNITARIO.issue(
                child_path(lpath, "PrecioUnitario"),
                f"{price} must be above zero; a gift is its price with a 100 % discount (code 01 regalía or 03 bonificación)",
            )
        )
    for j, discount in enumerate(line.get("Descuento") or []):
        if discount.get("CodigoDescuento") == "99":  # what the two rules ask of; other discounts pass
            dpath = child_path(lpath, "Descuento", j)
            A.DESCUENTO_OTRO.require(discount, "CodigoDescuento", "99", "CodigoDescuentoOTRO", dpath, issues)
            A.NATURALEZA_DESCUENTO.require(discount, "CodigoDescuento", "99", "NaturalezaDescuento", dpath, issues)
    taxes = line.get("Impuesto") or []
    factory = line.get("IVACobradoFabrica")
    if factory == "02":
        for j, tax in enumerate(taxes):
            if tax.get("Codigo") == "01" and tax.get("CodigoTarifaIVA") != "10":
                issues.append(
                    A.IVA_FABRICA_EXENTO.issue(
                        child_path(lpath, f"Impuesto[{j + 1}]/CodigoTarifaIVA"),
                        "VAT already collected at the factory (IVACobradoFabrica 02) is exempt here: use rate code 10",
                    )
                )
    if factory == "01" and not line.get("BaseImponible"):
        issues.append(
            A.BASE_IMPONIBLE.issue(
                child_path(lpath, "BaseImponible"),
                "must be above zero with VAT collected at the factory (IVACobradoFabrica 01)",
            )
        )
    for j, tax in enumerate(taxes):
        _check_tax(code, tax, (lpath, "Impuesto", j), bool(combo), issues)
    if combo:
        for k, part in enumerate(combo.get("LineaDetalleSurtido") or []):
            _check_component(code, part, child_path(lpath, "DetalleSurtido/LineaDetalleSurtido", k), issues)


def _check_tax(code: str, tax: dict, tpath: str | tuple, combo: bool, issues: list[Issue]) -> None:
    tax_code = tax.get("Codigo")
    rate_code = tax.get("CodigoTarifaIVA")
    A.IMPUESTO_OTRO.require(tax, "Codigo", "99", "CodigoImpuestoOTRO", tpath, issues)
    if combo and tax_code in IVA_CODES and (rate_code or tax.get("Tarifa") is not None):
        issues.append(
            A.TARIFA_IVA_REQUERIDA.issue(
                tpath,
                "a combo's VAT is the sum of its components': the line carries neither CodigoTarifaIVA nor Tarifa",
            )
        )
    elif tax_code in IVA_CODES and not rate_code and not combo:
        issues.append(A.TARIFA_IVA_REQUERIDA.issue(child_path(tpath, "CodigoTarifaIVA"), "is required for IVA"))
    if rate_code in TRANSITIONAL_RATES:  # the path is made only when the rule can apply
        _check_transitional(code, rate_code, child_path(tpath, "CodigoTarifaIVA"), issues)
    rate = tax.get("Tarifa")
    if tax_code == "01" and rate_code in IVA_RATES and rate is not None and rate != IVA_RATES[rate_code]:
        issues.append(
            A.TARIFA_IVA.issue(
                child_path(tpath, "Tarifa"),
                f"{rate} does not match CodigoTarifaIVA {rate_code} ({IVA_RATES[rate_code]}%)",
            )
        )
    if tax_code in ("02", "12") and rate is None and not (combo and tax_code == "02"):
        issues.append(A.TARIFA_REQUERIDA.issue(child_path(tpath, "Tarifa"), f"is required for tax {tax_code}"))
    elif tax_code == "12" and rate != CEMENT_RATE:
        issues.append(A.TARIFA_REQUERIDA.issue(child_path(tpath, "Tarifa"), f"{rate}: the cement tax (12) is 5 %"))
    if tax_code == "08" and tax.get("FactorCalculoIVA") is None:
        issues.append(
            A.FACTOR_IVA.issue(child_path(tpath, "FactorCalculoIVA"), "is required for IVA bienes usados (08)")
        )
    if tax_code in SPECIFIC_TAXES and not (combo and tax_code in COMBO_SPECIFIC_TAXES):
        _check_specific(
            tax_code,
            tax.get("DatosImpuestoEspecifico"),
            child_path(tpath, "DatosImpuestoEspecifico"),
            "",
            A.DATOS_ESPECIFICOS,
            issues,
        )
    exemption = tax.get("Exoneracion")
    if exemption:
        epath = child_path(tpath, "Exoneracion")
        kind = exemption.get("TipoDocumentoEX1")
        A.EXONERACION_OTRO.require(exemption, "TipoDocumentoEX1", "99", "TipoDocumentoOTRO", epath, issues)
        A.INSTITUCION_OTROS.require(exemption, "NombreInstitucion", "99", "NombreInstitucionOtros", epath, issues)
        if kind in ARTICLE_EXONERATIONS and not exemption.get("Articulo"):
            issues.append(
                A.EXONERACION_ARTICULO.issue(
                    child_path(epath, "Articulo"), f"is required (the article of the law) for exoneration type {kind}"
                )
            )
        if kind in DISABLED_EXONERATIONS and code not in NOTES:
            issues.append(
                A.EXONERACION_INHABILITADA.issue(
                    child_path(epath, "TipoDocumentoEX1"),
                    f"type {kind} is no longer in use except in credit and debit notes",
                )
            )
        exo_rate = exemption.get("TarifaExonerada")
        if exo_rate is not None and rate is not None and exo_rate > rate:
            issues.append(
                A.TARIFA_EXONERADA.issue(
                    child_path(epath, "TarifaExonerada"), f"{exo_rate} exceeds the tax rate {rate}"
                )
            )


def _check_transitional(code: str, rate_code: str | None, path: str, issues: list[Issue]) -> None:
    if rate_code in TRANSITIONAL_RATES and code not in NOTES:
        issues.append(
            A.TARIFA_IVA_NOTAS.issue(
                path, f"rate code {rate_code} (transitional) is used only in credit and debit notes"
            )
        )


def _check_specific(tax_code: str, data: dict | None, dpath: str, suffix: str, rule, issues: list[Issue]) -> None:
    """DatosImpuestoEspecifico (``suffix`` "Surtido" for a combo's component)."""
    if not data:
        issues.append(rule.issue(dpath, f"is required for tax {tax_code}"))
        return
    needed = {"04": ("Porcentaje", "Proporcion"), "05": ("VolumenUnidadConsumo",)}.get(tax_code, ())
    for key in needed:
        if data.get(key + suffix) is None:
            issues.append(rule.issue(child_path(dpath, key + suffix), f"is required for tax {tax_code}"))


def _check_component(code: str, part: dict, ppath: str, issues: list[Issue]) -> None:
    quantity = part.get("CantidadSurtido")
    if quantity is not None and quantity <= 0:
        issues.append(A.SURTIDO_CANTIDAD.issue(child_path(ppath, "CantidadSurtido"), f"{quantity} must be above zero"))
    price = part.get("PrecioUnitarioSurtido")
    if price is not None and price <= 0:
        issues.append(A.SURTIDO_PRECIO.issue(child_path(ppath, "PrecioUnitarioSurtido"), f"{price} must be above zero"))
    for j, discount in enumerate(part.get("DescuentoSurtido") or []):
        A.SURTIDO_DESCUENTO_OTROS.require(
            discount,
            "CodigoDescuentoSurtido",
            "99",
            "DescuentoSurtidoOtros",
            child_path(ppath, "DescuentoSurtido", j),
            issues,
        )
    factory = part.get("IVACobradoFabricaSurtido")
    if factory == "01" and not part.get("BaseImponibleSurtido"):
        issues.append(
            A.SURTIDO_BASE.issue(
                child_path(ppath, "BaseImponibleSurtido"), "must be above zero with IVACobradoFabricaSurtido 01"
            )
        )
    for j, tax in enumerate(part.get("ImpuestoSurtido") or []):
        tpath = child_path(ppath, "ImpuestoSurtido", j)
        tax_code, rate_code = tax.get("CodigoImpuestoSurtido"), tax.get("CodigoTarifaIVASurtido")
        A.SURTIDO_IMPUESTO_OTRO.require(tax, "CodigoImpuestoSurtido", "99", "CodigoImpuestoOTROSurtido", tpath, issues)
        if tax_code == "01":
            rate = tax.get("TarifaSurtido")
            if not rate_code:
                issues.append(
                    A.SURTIDO_TARIFA_IVA.issue(child_path(tpath, "CodigoTarifaIVASurtido"), "is required for IVA")
                )
            elif rate is not None and rate_code in IVA_RATES and rate != IVA_RATES[rate_code]:
                issues.append(
                    A.SURTIDO_TARIFA_IVA.issue(
                        child_path(tpath, "TarifaSurtido"),
                        f"{rate} does not match CodigoTarifaIVASurtido {rate_code} ({IVA_RATES[rate_code]}%)",
                    )
                )
            if factory == "02" and rate_code != "10":
                issues.append(
                    A.SURTIDO_IVA_FABRICA.issue(
                        child_path(tpath, "CodigoTarifaIVASurtido"),
                        "VAT collected at the factory (IVACobradoFabricaSurtido 02) is exempt here: use rate code 10",
                    )
                )
        _check_transitional(code, rate_code, child_path(tpath, "CodigoTarifaIVASurtido"), issues)
        if tax_code in COMBO_SPECIFIC_TAXES:
            _check_specific(
                tax_code,
                tax.get("DatosImpuestoEspecificoSurtido"),
                child_path(tpath, "DatosImpuestoEspecificoSurtido"),
                "Surtido",
                A.SURTIDO_DATOS_ESPECIFICOS,
                issues,
            )


def _check_charge(charge: dict, cpath: str, issues: list[Issue]) -> None:
    A.CARGO_OTRO.require(charge, "TipoDocumentoOC", "99", "TipoDocumentoOTROS", cpath, issues)
    if charge.get("TipoDocumentoOC") == "04":
        for key in ("IdentificacionTercero", "NombreTercero"):
            if not charge.get(key):
                issues.append(
                    A.CARGO_TERCERO.issue(
                        child_path(cpath, key), "is required for a charge collected for a third party (04)"
                    )
                )
    ident = charge.get("IdentificacionTercero") or {}
    check_identification(ident.get("Tipo"), ident.get("Numero"), child_path(cpath, "IdentificacionTercero"), issues)
    amount = charge.get("MontoCargo")
    if amount is not None and amount <= 0:
        issues.append(A.MONTO_CARGO.issue(child_path(cpath, "MontoCargo"), f"{amount} must be above zero"))
