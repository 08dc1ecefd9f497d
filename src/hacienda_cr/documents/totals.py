"""Document totals (ResumenFactura): derived when absent, checked when given.

Rounding: every computed amount is rounded once, half-up, to 5 decimals (the XSD's
``DecimalDineroType``); totals are sums of the (given or computed) line amounts, so they
need no further rounding. A given amount is accepted when it is within ``TOLERANCE``
(0.01, the half-cent that systems keeping 2 decimals produce, annex p. 12) of the computed
one, and the given figure is then the one carried into the totals. The lines' own amounts
are in ``line_amounts``.

The annex's formulas (pp. 50-55):

* each class total (services/goods × taxed/exempt/exonerated/not subject) is the MontoTotal
  of the lines of that class; TotalGravado etc. sum services and goods; TotalVenta their sum;
  TotalVentaNeta = TotalVenta − TotalDescuentos;
* TotalDesgloseImpuesto per (Codigo, CodigoTarifaIVA) = Σ (Monto − MontoExoneracion −
  ImpuestoAsumidoEmisorFabrica); TotalImpuesto = Σ ImpuestoNeto, both present whenever a line
  is taxed; TotalImpAsumEmisorFabrica = Σ ImpuestoAsumidoEmisorFabrica;
* TotalOtrosCargos = Σ MontoCargo (MontoCargo = TotalVentaNeta × PorcentajeOC / 100 when
  absent); TotalComprobante = TotalVentaNeta + TotalImpuesto + TotalOtrosCargos −
  TotalIVADevuelto, and in a Recibo Electrónico de Pago TotalVenta.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from hacienda_cr.documents.annex import A
from hacienda_cr.documents.line_amounts import (
    HUNDRED,
    IVA_RATES,
    TOLERANCE,
    ZERO,
    Reconciler,
    money,
    reconcile_line,
)
from hacienda_cr.documents.schema_tree import Element
from hacienda_cr.documents.tree_data import child_path
from hacienda_cr.errors import Issue

CLASS_TOTALS = {
    # (service?, class) -> ResumenFactura element
    (True, "gravado"): "TotalServGravados",
    (True, "exento"): "TotalServExentos",
    (True, "exonerado"): "TotalServExonerado",
    (True, "no_sujeto"): "TotalServNoSujeto",
    (False, "gravado"): "TotalMercanciasGravadas",
    (False, "exento"): "TotalMercanciasExentas",
    (False, "exonerado"): "TotalMercExonerada",
    (False, "no_sujeto"): "TotalMercNoSujeta",
}
FALLBACK_CLASS = {"no_sujeto": "exento", "exonerado": "gravado"}
CLASS_SUMS = {
    "gravado": "TotalGravado",
    "exento": "TotalExento",
    "exonerado": "TotalExonerado",
    "no_sujeto": "TotalNoSujeto",
}

__all__ = ["IVA_RATES", "reconcile_receipt", "reconcile_sale"]

# (element, class, formula) of each class total, in CLASS_TOTALS' order.
CLASS_SETTLES = tuple(
    (name, cls, f"Σ MontoTotal of the {cls} {'services' if service else 'goods'}")
    for (service, cls), name in CLASS_TOTALS.items()
)


@dataclass(frozen=True)
class _SummaryPlan:
    """What of the class totals a ResumenFactura's schema has; the same for every document of
    a type, so worked out once per schema element instead of per document."""

    fallbacks: tuple[tuple[str, str], ...]  # (class total the schema lacks, the one that takes its lines)
    class_sums: tuple[tuple[str, str, tuple[str, ...], str], ...]  # (class, sum element, its parts, formula)
    has_class_sums: bool


_SUMMARY_PLANS: dict[int, _SummaryPlan] = {}


def _summary_plan(schema: Element) -> _SummaryPlan:
    plan = _SUMMARY_PLANS.get(id(schema))
    if plan is None:
        fallbacks = tuple(
            (CLASS_TOTALS[(service, cls)], CLASS_TOTALS[(service, FALLBACK_CLASS[cls])])
            for service, cls in CLASS_TOTALS
            if cls in FALLBACK_CLASS and schema.child(CLASS_TOTALS[(service, cls)]) is None
        )
        class_sums = []
        for cls, sum_name in CLASS_SUMS.items():
            parts = tuple(n for (_, c), n in CLASS_TOTALS.items() if c == cls and schema.child(n) is not None)
            class_sums.append((cls, sum_name, parts, " + ".join(parts) or "0"))
        has_class_sums = any(schema.child(n) is not None for n in CLASS_SUMS.values())
        plan = _SUMMARY_PLANS[id(schema)] = _SummaryPlan(fallbacks, tuple(class_sums), has_class_sums)
    return plan


def _d(value) -> Decimal:
    return value if isinstance(value, Decimal) else ZERO if value is None else Decimal(value)


def reconcile_sale(doc: dict, root: Element, path: str, issues: list[Issue], fill: bool) -> None:
    """Lines and ResumenFactura of Factura, Notas, Tiquete, Compra and Exportación."""
    rec = Reconciler(issues, fill)
    detail_schema = root.child("DetalleServicio")
    line_schema = detail_schema.child("LineaDetalle")
    lines = (doc.get("DetalleServicio") or {}).get("LineaDetalle") or []
    detail_path = child_path(path, "DetalleServicio")
    buckets = {name: ZERO for name in CLASS_TOTALS.values()}
    total_discounts = ZERO
    total_tax = ZERO
    total_assumed = ZERO
    taxed = False
    breakdown: OrderedDict[tuple[str, str | None], Decimal] = OrderedDict()

    for index, line in enumerate(lines):
        lpath = (detail_path, "LineaDetalle", index)  # made into text only for an issue (path_text)
        if fill and "NumeroLinea" not in line:
            line["NumeroLinea"] = index + 1
        elif line.get("NumeroLinea") not in (None, index + 1):
            issues.append(
                A.NUMERO_LINEA.issue(
                    child_path(lpath, "NumeroLinea"),
                    f"is {line['NumeroLinea']}; lines are numbered 1, 2, 3… ({index + 1} expected)",
                )
            )
        line_discounts, net_tax, assumed, parts, share, line_breakdown, line_taxed = reconcile_line(
            line, line_schema, lpath, rec
        )
        total_discounts += line_discounts
        total_tax += net_tax
        total_assumed += assumed
        taxed = taxed or line_taxed
        for key, amount in line_breakdown.items():
            breakdown[key] = breakdown.get(key, ZERO) + amount
        for cls, service, amount in parts:
            if cls == "gravado" and share:
                exonerated = money(amount * share)
                buckets[CLASS_TOTALS[(service, "gravado")]] += amount - exonerated
                buckets[CLASS_TOTALS[(service, "exonerado")]] += exonerated
            else:
                buckets[CLASS_TOTALS[(service, cls)]] += amount

    summary_schema = root.child("ResumenFactura")
    spath = child_path(path, "ResumenFactura")
    summary = doc.get("ResumenFactura")
    if summary is None:
        summary = doc["ResumenFactura"] = {} if fill else None
    if summary is None:
        return
    if fill and "CodigoTipoMoneda" not in summary:
        summary["CodigoTipoMoneda"] = {"CodigoMoneda": "CRC", "TipoCambio": Decimal(1)}

    plan = _summary_plan(summary_schema)
    # Documents without a class (Exportación has no exonerated / not-subject totals) count
    # those lines in the nearest class they do have.
    for name, fallback_name in plan.fallbacks:
        if buckets[name]:
            buckets[fallback_name] += buckets[name]
            buckets[name] = ZERO
    class_rules = {
        "gravado": A.TOTAL_GRAVADO,
        "exento": A.TOTAL_EXENTO,
        "exonerado": A.TOTAL_EXONERADO,
        "no_sujeto": A.TOTAL_NO_SUJETO,
    }
    for name, cls, formula in CLASS_SETTLES:
        rec.settle(summary, summary_schema, name, buckets[name], spath, formula, class_rules[cls])
    class_sums = {}
    for cls, sum_name, parts, formula in plan.class_sums:
        expected = sum((_d(summary.get(n)) for n in parts), ZERO)
        class_sums[cls] = rec.settle(summary, summary_schema, sum_name, expected, spath, formula, A.TOTALES_CLASE)
    gross_total = sum((_d(line.get("MontoTotal")) for line in lines), ZERO)
    venta = rec.settle(
        summary, summary_schema, "TotalVenta", gross_total, spath, "Σ MontoTotal of the lines", A.TOTAL_VENTA
    )
    if plan.has_class_sums:
        class_total = sum((_d(summary.get(n, class_sums[c])) for c, n in CLASS_SUMS.items()), ZERO)
        if abs(class_total - venta) > TOLERANCE:
            issues.append(
                A.TOTAL_VENTA.issue(
                    child_path(spath, "TotalVenta"),
                    f"{venta} is not TotalGravado + TotalExento + TotalExonerado + TotalNoSujeto = {class_total}",
                )
            )
    discounts = rec.settle(
        summary, summary_schema, "TotalDescuentos", total_discounts, spath, "Σ MontoDescuento", A.TOTAL_DESCUENTOS
    )
    neta = rec.settle(
        summary,
        summary_schema,
        "TotalVentaNeta",
        venta - discounts,
        spath,
        "TotalVenta − TotalDescuentos",
        A.TOTAL_VENTA_NETA,
    )
    reconcile_breakdown(summary, summary_schema, spath, breakdown, rec, taxed)
    tax = rec.settle(
        summary,
        summary_schema,
        "TotalImpuesto",
        total_tax,
        spath,
        "Σ ImpuestoNeto of the lines",
        A.TOTAL_IMPUESTO,
        required=taxed,
    )
    rec.settle(
        summary,
        summary_schema,
        "TotalImpAsumEmisorFabrica",
        total_assumed,
        spath,
        "Σ ImpuestoAsumidoEmisorFabrica",
        A.TOTAL_ASUMIDO,
    )
    charges = doc.get("OtrosCargos") or []
    others = reconcile_other_charges(charges, root, path, neta, rec)
    rec.settle(
        summary,
        summary_schema,
        "TotalOtrosCargos",
        others,
        spath,
        "Σ OtrosCargos/MontoCargo",
        A.TOTAL_OTROS_CARGOS,
        required=bool(charges),
    )
    returned = _d(summary.get("TotalIVADevuelto"))
    total = rec.settle(
        summary,
        summary_schema,
        "TotalComprobante",
        neta + tax + _d(summary.get("TotalOtrosCargos", others)) - returned,
        spath,
        "TotalVentaNeta + TotalImpuesto + TotalOtrosCargos − TotalIVADevuelto",
        A.TOTAL_COMPROBANTE,
    )
    check_payments(summary, spath, total, issues)


def reconcile_breakdown(
    summary: dict, schema: Element, path: str, breakdown: dict, rec: Reconciler, taxed: bool
) -> None:
    element = schema.child("TotalDesgloseImpuesto")
    if element is None:
        return
    expected = {k: money(v) for k, v in breakdown.items()}
    given = summary.get("TotalDesgloseImpuesto")
    if given is None:
        if rec.fill and expected:
            summary["TotalDesgloseImpuesto"] = [
                {
                    k: v
                    for k, v in (("Codigo", code), ("CodigoTarifaIVA", rate), ("TotalMontoImpuesto", amount))
                    if v is not None
                }
                for (code, rate), amount in expected.items()
            ]
        elif not rec.fill and (taxed or any(expected.values())):
            rec.issues.append(
                A.DESGLOSE.issue(child_path(path, "TotalDesgloseImpuesto"), "is missing; the lines carry taxes")
            )
        return
    seen = set()
    for i, item in enumerate(given):
        key = (item.get("Codigo"), item.get("CodigoTarifaIVA"))
        ipath = child_path(path, "TotalDesgloseImpuesto", i)
        if key in seen:
            rec.issues.append(A.DESGLOSE.issue(ipath, f"tax {key[0]} rate {key[1]} is broken down twice"))
            continue
        seen.add(key)
        if key not in expected:
            rec.issues.append(A.DESGLOSE.issue(ipath, f"tax {key[0]} rate {key[1]} appears in no line"))
            continue
        amount = item.get("TotalMontoImpuesto")
        if amount is not None and abs(amount - expected[key]) > TOLERANCE:
            rec.issues.append(
                A.DESGLOSE.issue(
                    child_path(ipath, "TotalMontoImpuesto"),
                    f"{amount} does not match the lines' tax {key[0]} rate {key[1]}, net of exonerations and "
                    f"assumed tax = {expected[key]}",
                )
            )
    for key in expected:
        if key not in seen and expected[key] != 0:
            rec.issues.append(
                A.DESGLOSE.issue(
                    child_path(path, "TotalDesgloseImpuesto"),
                    f"tax {key[0]} rate {key[1]} of the lines is not broken down",
                )
            )


def reconcile_other_charges(charges: list, root: Element, path: str, net_sale: Decimal, rec: Reconciler) -> Decimal:
    """Σ MontoCargo; a missing MontoCargo of a percentage charge is TotalVentaNeta × PorcentajeOC / 100
    (the annex gives no formula to check a given one against)."""
    schema = root.child("OtrosCargos")
    total = ZERO
    if schema is None:
        return total
    for i, charge in enumerate(charges):
        cpath = child_path(path, "OtrosCargos", i)
        amount = charge.get("MontoCargo")
        if amount is None and charge.get("PorcentajeOC") is not None:
            amount = money(net_sale * charge["PorcentajeOC"] / HUNDRED)
            if rec.fill:
                charge["MontoCargo"] = amount
        elif amount is None:
            rec.issues.append(
                A.MONTO_CARGO.issue(child_path(cpath, "MontoCargo"), "is required (or give PorcentajeOC)")
            )
            amount = ZERO
        total += amount
    return total


def check_payments(summary: dict, path: str, total: Decimal, issues: list[Issue]) -> None:
    payments = summary.get("MedioPago") or []
    amounts = [p.get("TotalMedioPago") for p in payments]
    for i, amount in enumerate(amounts):
        if amount is not None and amount <= 0:
            issues.append(
                A.TOTAL_MEDIO_PAGO.issue(
                    child_path(path, "MedioPago", i) + "/TotalMedioPago", f"{amount} must be above zero"
                )
            )
    if len(payments) > 1:
        if any(a is None for a in amounts):
            issues.append(
                A.TOTAL_MEDIO_PAGO.issue(
                    child_path(path, "MedioPago"), "with several payment means each needs TotalMedioPago"
                )
            )
            return
        paid = sum(amounts, ZERO)
        if abs(paid - total) > TOLERANCE:
            issues.append(
                A.TOTAL_MEDIO_PAGO.issue(
                    child_path(path, "MedioPago"), f"Σ TotalMedioPago = {paid} does not match TotalComprobante {total}"
                )
            )


def reconcile_receipt(doc: dict, root: Element, path: str, issues: list[Issue], fill: bool) -> None:
    """Recibo Electrónico de Pago: each line is a payment of an earlier sale: MontoTotal the
    amount paid without tax, SubTotal the payment recorded for the tax (p. 36, editable)."""
    rec = Reconciler(issues, fill)
    line_schema = root.child("DetalleServicio").child("LineaDetalle")
    tax_schema = line_schema.child("Impuesto")
    detail_path = child_path(path, "DetalleServicio")
    lines = (doc.get("DetalleServicio") or {}).get("LineaDetalle") or []
    gross_total = ZERO
    tax_total = ZERO
    taxed = False
    breakdown: OrderedDict[tuple[str, str | None], Decimal] = OrderedDict()
    for index, line in enumerate(lines):
        lpath = child_path(detail_path, "LineaDetalle", index)
        if fill and "NumeroLinea" not in line:
            line["NumeroLinea"] = index + 1
        gross = _d(line.get("MontoTotal"))
        if line.get("SubTotal") is None and fill:
            line["SubTotal"] = money(gross)
        subtotal = _d(line.get("SubTotal", gross))
        amounts = ZERO
        for i, tax in enumerate(line.get("Impuesto", [])):
            tpath = child_path(lpath, "Impuesto", i)
            if fill and tax.get("Tarifa") is None and tax.get("CodigoTarifaIVA") in IVA_RATES:
                tax["Tarifa"] = IVA_RATES[tax["CodigoTarifaIVA"]]
            if tax.get("Tarifa") is not None:
                amount = rec.settle(
                    tax,
                    tax_schema,
                    "Monto",
                    subtotal * tax["Tarifa"] / HUNDRED,
                    tpath,
                    "SubTotal × Tarifa / 100",
                    A.MONTO_IMPUESTO,
                )
            elif tax.get("Monto") is None:
                issues.append(A.MONTO_IMPUESTO.issue(child_path(tpath, "Monto"), "is required (or give Tarifa)"))
                amount = ZERO
            else:
                amount = tax["Monto"]
            taxed = True
            amounts += amount
            key = (tax.get("Codigo"), tax.get("CodigoTarifaIVA"))
            breakdown[key] = breakdown.get(key, ZERO) + amount
        net = rec.settle(line, line_schema, "ImpuestoNeto", amounts, lpath, "Σ Monto", A.IMPUESTO_NETO)
        rec.settle(
            line, line_schema, "MontoTotalLinea", subtotal + net, lpath, "SubTotal + ImpuestoNeto", A.MONTO_TOTAL_LINEA
        )
        gross_total += gross
        tax_total += net
    summary_schema = root.child("ResumenFactura")
    spath = child_path(path, "ResumenFactura")
    summary = doc.setdefault("ResumenFactura", {}) if fill else doc.get("ResumenFactura")
    if summary is None:
        return
    if fill and "CodigoTipoMoneda" not in summary:
        summary["CodigoTipoMoneda"] = {"CodigoMoneda": "CRC", "TipoCambio": Decimal(1)}
    venta = rec.settle(
        summary, summary_schema, "TotalVenta", gross_total, spath, "Σ MontoTotal of the lines", A.TOTAL_VENTA
    )
    rec.settle(summary, summary_schema, "TotalVentaNeta", venta, spath, "TotalVenta", A.TOTAL_VENTA_NETA)
    reconcile_breakdown(summary, summary_schema, spath, breakdown, rec, taxed)
    rec.settle(
        summary,
        summary_schema,
        "TotalImpuesto",
        tax_total,
        spath,
        "Σ ImpuestoNeto of the lines",
        A.TOTAL_IMPUESTO,
        required=taxed,
    )
    total = rec.settle(summary, summary_schema, "TotalComprobante", venta, spath, "TotalVenta", A.TOTAL_COMPROBANTE)
    check_payments(summary, spath, total, issues)
