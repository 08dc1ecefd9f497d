"""Line amounts and document totals: derived when absent, checked when given.

Rounding: every computed amount is rounded once, half-up, to 5 decimals (the XSD's
``DecimalDineroType``); totals are sums of the (given or computed) line amounts, so they
need no further rounding. A given amount is accepted when it is within ``TOLERANCE``
(0.01, the half-cent that systems keeping 2 decimals produce) of the computed one, and
the given figure is then the one carried into the totals.

Formulas (Hacienda's v4.4 annex, in the XSD's own words where it has them):

* MontoTotal = Cantidad × PrecioUnitario
* SubTotal = MontoTotal − Σ Descuento/MontoDescuento
* taxes other than IVA with a Tarifa: Monto = SubTotal × Tarifa / 100 (otherwise given)
* BaseImponible = SubTotal + Monto of taxes 02, 04, 05 and 12
* IVA (01, 07): Monto = BaseImponible × Tarifa / 100 — Tarifa follows from CodigoTarifaIVA
  when absent; IVA bienes usados (08): Monto = BaseImponible × FactorCalculoIVA
* Exoneracion/MontoExoneracion = BaseImponible × TarifaExonerada / 100 (at most Monto)
* ImpuestoNeto = Σ Monto − Σ MontoExoneracion − ImpuestoAsumidoEmisorFabrica
* MontoTotalLinea = SubTotal + ImpuestoNeto
* ResumenFactura: every class total (services/goods × taxed/exempt/exonerated/not subject)
  is a sum of MontoTotal (before discounts); TotalVenta = their sum; TotalVentaNeta =
  TotalVenta − TotalDescuentos; TotalImpuesto = Σ ImpuestoNeto; TotalDesgloseImpuesto per
  (Codigo, CodigoTarifaIVA) = Σ (Monto − MontoExoneracion); TotalOtrosCargos = Σ MontoCargo
  (MontoCargo = TotalVentaNeta × PorcentajeOC / 100 when absent); TotalComprobante =
  TotalVentaNeta + TotalImpuesto + TotalOtrosCargos − TotalIVADevuelto.

Classification of a line (only used to fill class totals that are absent; given class
totals are checked for their sums, not re-classified): a service when its CABYS code
starts with 5–9 (CABYS sections 5–9 are services) or, without CABYS, when its unit is a
service unit (Sp, Spe, St, Os, Al, Alc, Cm, I); exempt when its IVA rate code is 10
(Tarifa Exenta) or 11 (0% sin derecho a crédito); not subject when the rate code is 01
(Tarifa 0%, art. 32 RLIVA) or the line has no IVA at all; taxed otherwise. The exonerated
share of a taxed line is TarifaExonerada / Tarifa.
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import ROUND_HALF_UP, Decimal

from hacienda_cr.documents.schema_tree import Element
from hacienda_cr.documents.tree_data import child_path
from hacienda_cr.errors import Issue

MONEY = Decimal("0.00001")
TOLERANCE = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)

IVA_CODES = {"01", "07"}
IVA_USED_GOODS = "08"
IN_IVA_BASE = {"02", "04", "05", "12"}  # taxes that form part of the IVA base
IVA_RATES = {
    "01": Decimal("0"),
    "02": Decimal("1"),
    "03": Decimal("2"),
    "04": Decimal("4"),
    "05": Decimal("0"),
    "06": Decimal("4"),
    "07": Decimal("8"),
    "08": Decimal("13"),
    "09": Decimal("0.5"),
    "10": Decimal("0"),
    "11": Decimal("0"),
}
EXEMPT_RATE_CODES = {"10", "11"}
NOT_SUBJECT_RATE_CODES = {"01"}
SERVICE_UNITS = {"Sp", "Spe", "St", "Os", "Al", "Alc", "Cm", "I"}

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


def money(value: Decimal) -> Decimal:
    return value.quantize(MONEY, rounding=ROUND_HALF_UP)


class Reconciler:
    """Sets absent derivable amounts (when filling) and reports given ones that disagree."""

    def __init__(self, issues: list[Issue], fill: bool):
        self.issues = issues
        self.fill = fill

    def settle(
        self,
        container: dict,
        schema: Element,
        key: str,
        expected: Decimal,
        path: str,
        formula: str,
        tolerance: Decimal = TOLERANCE,
    ) -> Decimal:
        element = schema.child(key)
        if element is None:  # this document type has no such element
            return expected
        expected = money(expected)
        given = container.get(key)
        if given is None:
            if self.fill:
                if element.min_occurs > 0 or expected != 0:
                    container[key] = expected
            elif expected != 0 and element.min_occurs == 0:
                self.issues.append(Issue(child_path(path, key), f"is missing; {formula} gives {expected}", "totals"))
            return expected
        if abs(given - expected) > tolerance:
            self.issues.append(Issue(child_path(path, key), f"{given} does not match {formula} = {expected}", "totals"))
        return given


def _d(value) -> Decimal:
    return value if isinstance(value, Decimal) else ZERO if value is None else Decimal(value)


def is_service(line: dict) -> bool:
    cabys = line.get("CodigoCABYS")
    if cabys:
        return cabys[0] in "56789"
    return line.get("UnidadMedida") in SERVICE_UNITS


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
    breakdown: OrderedDict[tuple[str, str | None], Decimal] = OrderedDict()

    for index, line in enumerate(lines):
        lpath = child_path(detail_path, "LineaDetalle", index)
        if fill and "NumeroLinea" not in line:
            line["NumeroLinea"] = index + 1
        elif line.get("NumeroLinea") not in (None, index + 1):
            issues.append(
                Issue(
                    child_path(lpath, "NumeroLinea"),
                    f"is {line['NumeroLinea']}; lines are numbered 1, 2, 3… ({index + 1} expected)",
                    "lines",
                )
            )
        figures = reconcile_line(line, line_schema, lpath, rec)
        total_discounts += figures["discounts"]
        total_tax += figures["net_tax"]
        total_assumed += figures["assumed"]
        for key, amount in figures["breakdown"].items():
            breakdown[key] = breakdown.get(key, ZERO) + amount
        service = is_service(line)
        gross = figures["gross"]
        exonerated = money(gross * figures["exonerated_share"])
        if figures["class"] == "gravado":
            buckets[CLASS_TOTALS[(service, "gravado")]] += gross - exonerated
            buckets[CLASS_TOTALS[(service, "exonerado")]] += exonerated
        else:
            buckets[CLASS_TOTALS[(service, figures["class"])]] += gross

    summary_schema = root.child("ResumenFactura")
    spath = child_path(path, "ResumenFactura")
    summary = doc.get("ResumenFactura")
    if summary is None:
        summary = doc["ResumenFactura"] = {} if fill else None
    if summary is None:
        return
    if fill and "CodigoTipoMoneda" not in summary:
        summary["CodigoTipoMoneda"] = {"CodigoMoneda": "CRC", "TipoCambio": Decimal(1)}

    # Class totals: fill absent ones from the classification; the sums are always checked.
    # Documents without a class (Exportación has no exonerated / not-subject totals) count
    # those lines in the nearest class they do have.
    for (service, cls), fallback in ((k, FALLBACK_CLASS[k[1]]) for k in CLASS_TOTALS if k[1] in FALLBACK_CLASS):
        name = CLASS_TOTALS[(service, cls)]
        if summary_schema.child(name) is None and buckets[name]:
            buckets[CLASS_TOTALS[(service, fallback)]] += buckets[name]
            buckets[name] = ZERO
    for name, amount in buckets.items():
        if fill and summary.get(name) is None and summary_schema.child(name) is not None and amount:
            summary[name] = money(amount)
    class_sums = {}
    for cls, sum_name in CLASS_SUMS.items():
        parts = [n for (svc, c), n in CLASS_TOTALS.items() if c == cls and summary_schema.child(n) is not None]
        expected = sum((_d(summary.get(n)) for n in parts), ZERO)
        class_sums[cls] = rec.settle(summary, summary_schema, sum_name, expected, spath, " + ".join(parts) or "0")
    gross_total = sum((_line_gross(line) for line in lines), ZERO)
    venta = rec.settle(summary, summary_schema, "TotalVenta", gross_total, spath, "Σ MontoTotal of the lines")
    if any(summary_schema.child(n) is not None for n in CLASS_SUMS.values()):
        class_total = sum((_d(summary.get(n, class_sums[c])) for c, n in CLASS_SUMS.items()), ZERO)
        if abs(class_total - venta) > TOLERANCE:
            issues.append(
                Issue(
                    child_path(spath, "TotalVenta"),
                    f"{venta} is not TotalGravado + TotalExento + TotalExonerado + TotalNoSujeto = {class_total}",
                    "totals",
                )
            )
    discounts = rec.settle(summary, summary_schema, "TotalDescuentos", total_discounts, spath, "Σ MontoDescuento")
    neta = rec.settle(
        summary, summary_schema, "TotalVentaNeta", venta - discounts, spath, "TotalVenta − TotalDescuentos"
    )
    reconcile_breakdown(summary, summary_schema, spath, breakdown, rec)
    tax = rec.settle(summary, summary_schema, "TotalImpuesto", total_tax, spath, "Σ ImpuestoNeto of the lines")
    rec.settle(
        summary, summary_schema, "TotalImpAsumEmisorFabrica", total_assumed, spath, "Σ ImpuestoAsumidoEmisorFabrica"
    )
    others = reconcile_other_charges(doc, root, path, neta, rec)
    returned = _d(summary.get("TotalIVADevuelto"))
    total = rec.settle(
        summary,
        summary_schema,
        "TotalComprobante",
        neta + tax + others - returned,
        spath,
        "TotalVentaNeta + TotalImpuesto + TotalOtrosCargos − TotalIVADevuelto",
    )
    if fill and summary_schema.child("TotalOtrosCargos") is not None and others:
        summary.setdefault("TotalOtrosCargos", money(others))
    elif summary.get("TotalOtrosCargos") is not None and abs(summary["TotalOtrosCargos"] - others) > TOLERANCE:
        issues.append(
            Issue(
                child_path(spath, "TotalOtrosCargos"),
                f"{summary['TotalOtrosCargos']} does not match Σ OtrosCargos/MontoCargo = {money(others)}",
                "totals",
            )
        )
    check_payments(summary, spath, total, issues)


def _line_gross(line: dict) -> Decimal:
    return _d(line.get("MontoTotal"))


def reconcile_line(line: dict, schema: Element, path: str, rec: Reconciler) -> dict:
    quantity = line.get("Cantidad")
    price = line.get("PrecioUnitario")
    if quantity is not None and price is not None:
        gross = rec.settle(line, schema, "MontoTotal", quantity * price, path, "Cantidad × PrecioUnitario")
    else:
        gross = _d(line.get("MontoTotal"))
    discounts = sum((_d(d.get("MontoDescuento")) for d in line.get("Descuento", [])), ZERO)
    if discounts > gross:
        rec.issues.append(
            Issue(child_path(path, "Descuento"), f"discounts {discounts} exceed MontoTotal {gross}", "lines")
        )
    subtotal = rec.settle(line, schema, "SubTotal", gross - discounts, path, "MontoTotal − Σ MontoDescuento")

    tax_schema = schema.child("Impuesto")
    taxes = line.get("Impuesto", [])
    amounts: dict[int, Decimal] = {}
    for i, tax in enumerate(taxes):  # taxes outside IVA first: some of them are part of its base
        code = tax.get("Codigo")
        if code in IVA_CODES or code == IVA_USED_GOODS:
            continue
        tpath = child_path(path, "Impuesto", i)
        if tax.get("Tarifa") is not None:
            amounts[i] = rec.settle(
                tax, tax_schema, "Monto", subtotal * tax["Tarifa"] / HUNDRED, tpath, "SubTotal × Tarifa / 100"
            )
        elif tax.get("Monto") is None:
            rec.issues.append(
                Issue(child_path(tpath, "Monto"), f"is required: tax {code} has no Tarifa to compute it from", "lines")
            )
            amounts[i] = ZERO
        else:
            amounts[i] = tax["Monto"]
    base_extra = sum((amounts[i] for i, t in enumerate(taxes) if t.get("Codigo") in IN_IVA_BASE), ZERO)
    if schema.child("BaseImponible") is not None:
        base = rec.settle(line, schema, "BaseImponible", subtotal + base_extra, path, "SubTotal + taxes 02/04/05/12")
    else:
        base = subtotal + base_extra

    line_class = "no_sujeto"
    exonerated_share = ZERO
    exonerated_total = ZERO
    breakdown: dict[tuple[str, str | None], Decimal] = {}
    for i, tax in enumerate(taxes):
        code = tax.get("Codigo")
        tpath = child_path(path, "Impuesto", i)
        if code in IVA_CODES or code == IVA_USED_GOODS:
            rate_code = tax.get("CodigoTarifaIVA")
            if rec.fill and tax.get("Tarifa") is None and rate_code in IVA_RATES and tax_schema.child("Tarifa"):
                tax["Tarifa"] = IVA_RATES[rate_code]
            if code == IVA_USED_GOODS:
                factor = tax.get("FactorCalculoIVA")
                if factor is None:
                    rec.issues.append(
                        Issue(child_path(tpath, "FactorCalculoIVA"), "is required for IVA bienes usados (08)", "lines")
                    )
                    factor = ZERO
                amounts[i] = rec.settle(
                    tax, tax_schema, "Monto", base * factor, tpath, "BaseImponible × FactorCalculoIVA"
                )
            else:
                rate = tax.get("Tarifa")
                if rate is None:
                    rec.issues.append(
                        Issue(child_path(tpath, "Tarifa"), "is required for IVA (or give CodigoTarifaIVA)", "lines")
                    )
                    rate = ZERO
                amounts[i] = rec.settle(
                    tax, tax_schema, "Monto", base * rate / HUNDRED, tpath, "BaseImponible × Tarifa / 100"
                )
            if rate_code in EXEMPT_RATE_CODES:
                line_class = "exento"
            elif rate_code in NOT_SUBJECT_RATE_CODES:
                line_class = "no_sujeto"
            else:
                line_class = "gravado"
        exemption = tax.get("Exoneracion")
        exonerated = ZERO
        if exemption:
            epath = child_path(tpath, "Exoneracion")
            exo_rate = _d(exemption.get("TarifaExonerada"))
            rate = _d(tax.get("Tarifa"))
            if rate and exo_rate > rate:
                rec.issues.append(
                    Issue(child_path(epath, "TarifaExonerada"), f"{exo_rate} exceeds the tax rate {rate}", "lines")
                )
            expected = min(base * exo_rate / HUNDRED, amounts[i])
            exonerated = rec.settle(
                exemption,
                tax_schema.child("Exoneracion"),
                "MontoExoneracion",
                expected,
                epath,
                "BaseImponible × TarifaExonerada / 100",
            )
            if rate:
                exonerated_share = max(exonerated_share, min(Decimal(1), exo_rate / rate))
        exonerated_total += exonerated
        key = (code, tax.get("CodigoTarifaIVA"))
        breakdown[key] = breakdown.get(key, ZERO) + amounts[i] - exonerated

    assumed = _d(line.get("ImpuestoAsumidoEmisorFabrica"))
    if rec.fill and schema.child("ImpuestoAsumidoEmisorFabrica") is not None:
        element = schema.child("ImpuestoAsumidoEmisorFabrica")
        if element.min_occurs > 0:
            line.setdefault("ImpuestoAsumidoEmisorFabrica", ZERO.quantize(MONEY))
    total_tax = sum(amounts.values(), ZERO)
    net = rec.settle(
        line,
        schema,
        "ImpuestoNeto",
        total_tax - exonerated_total - assumed,
        path,
        "Σ Monto − Σ MontoExoneracion − ImpuestoAsumidoEmisorFabrica",
    )
    if schema.child("ImpuestoNeto") is None:
        net = money(total_tax - exonerated_total - assumed)
    rec.settle(line, schema, "MontoTotalLinea", subtotal + net, path, "SubTotal + ImpuestoNeto")
    return {
        "gross": gross,
        "discounts": discounts,
        "net_tax": net,
        "assumed": assumed,
        "class": line_class,
        "exonerated_share": exonerated_share,
        "breakdown": breakdown,
    }


def reconcile_breakdown(summary: dict, schema: Element, path: str, breakdown: dict, rec: Reconciler) -> None:
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
        elif not rec.fill and any(expected.values()):
            rec.issues.append(
                Issue(child_path(path, "TotalDesgloseImpuesto"), "is missing; the lines carry taxes", "totals")
            )
        return
    seen = set()
    for i, item in enumerate(given):
        key = (item.get("Codigo"), item.get("CodigoTarifaIVA"))
        ipath = child_path(path, "TotalDesgloseImpuesto", i)
        if key in seen:
            rec.issues.append(Issue(ipath, f"tax {key[0]} rate {key[1]} is broken down twice", "totals"))
            continue
        seen.add(key)
        if key not in expected:
            rec.issues.append(Issue(ipath, f"tax {key[0]} rate {key[1]} appears in no line", "totals"))
            continue
        amount = item.get("TotalMontoImpuesto")
        if amount is not None and abs(amount - expected[key]) > TOLERANCE:
            rec.issues.append(
                Issue(
                    child_path(ipath, "TotalMontoImpuesto"),
                    f"{amount} does not match Σ (Monto − MontoExoneracion) of tax {key[0]} rate {key[1]} = {expected[key]}",
                    "totals",
                )
            )
    for key in expected:
        if key not in seen and expected[key] != 0:
            rec.issues.append(
                Issue(
                    child_path(path, "TotalDesgloseImpuesto"),
                    f"tax {key[0]} rate {key[1]} of the lines is not broken down",
                    "totals",
                )
            )


def reconcile_other_charges(doc: dict, root: Element, path: str, net_sale: Decimal, rec: Reconciler) -> Decimal:
    schema = root.child("OtrosCargos")
    total = ZERO
    if schema is None:
        return total
    for i, charge in enumerate(doc.get("OtrosCargos", [])):
        cpath = child_path(path, "OtrosCargos", i)
        percent = charge.get("PorcentajeOC")
        if percent is not None:
            total += rec.settle(
                charge, schema, "MontoCargo", net_sale * percent / HUNDRED, cpath, "TotalVentaNeta × PorcentajeOC / 100"
            )
        elif charge.get("MontoCargo") is None:
            rec.issues.append(Issue(child_path(cpath, "MontoCargo"), "is required (or give PorcentajeOC)", "totals"))
        else:
            total += charge["MontoCargo"]
    return total


def check_payments(summary: dict, path: str, total: Decimal, issues: list[Issue]) -> None:
    payments = summary.get("MedioPago") or []
    amounts = [p.get("TotalMedioPago") for p in payments]
    if len(payments) > 1 and any(a is None for a in amounts):
        issues.append(
            Issue(child_path(path, "MedioPago"), "with several payment methods each needs TotalMedioPago", "payments")
        )
    elif payments and all(a is not None for a in amounts):
        paid = sum(amounts, ZERO)
        if abs(paid - total) > TOLERANCE:
            issues.append(
                Issue(
                    child_path(path, "MedioPago"),
                    f"Σ TotalMedioPago = {paid} does not match TotalComprobante {total}",
                    "payments",
                )
            )


def reconcile_receipt(doc: dict, root: Element, path: str, issues: list[Issue], fill: bool) -> None:
    """Recibo Electrónico de Pago: lines are payments of earlier sales and their taxes."""
    rec = Reconciler(issues, fill)
    line_schema = root.child("DetalleServicio").child("LineaDetalle")
    tax_schema = line_schema.child("Impuesto")
    detail_path = child_path(path, "DetalleServicio")
    lines = (doc.get("DetalleServicio") or {}).get("LineaDetalle") or []
    gross_total = ZERO
    tax_total = ZERO
    breakdown: OrderedDict[tuple[str, str | None], Decimal] = OrderedDict()
    for index, line in enumerate(lines):
        lpath = child_path(detail_path, "LineaDetalle", index)
        if fill and "NumeroLinea" not in line:
            line["NumeroLinea"] = index + 1
        gross = _d(line.get("MontoTotal"))
        subtotal = rec.settle(line, line_schema, "SubTotal", gross, lpath, "MontoTotal")
        amounts = ZERO
        for i, tax in enumerate(line.get("Impuesto", [])):
            tpath = child_path(lpath, "Impuesto", i)
            if fill and tax.get("Tarifa") is None and tax.get("CodigoTarifaIVA") in IVA_RATES:
                tax["Tarifa"] = IVA_RATES[tax["CodigoTarifaIVA"]]
            if tax.get("Tarifa") is not None:
                amount = rec.settle(
                    tax, tax_schema, "Monto", subtotal * tax["Tarifa"] / HUNDRED, tpath, "SubTotal × Tarifa / 100"
                )
            elif tax.get("Monto") is None:
                issues.append(Issue(child_path(tpath, "Monto"), "is required (or give Tarifa)", "lines"))
                amount = ZERO
            else:
                amount = tax["Monto"]
            amounts += amount
            key = (tax.get("Codigo"), tax.get("CodigoTarifaIVA"))
            breakdown[key] = breakdown.get(key, ZERO) + amount
        net = rec.settle(line, line_schema, "ImpuestoNeto", amounts, lpath, "Σ Monto")
        rec.settle(line, line_schema, "MontoTotalLinea", subtotal + net, lpath, "SubTotal + ImpuestoNeto")
        gross_total += gross
        tax_total += net
    summary_schema = root.child("ResumenFactura")
    spath = child_path(path, "ResumenFactura")
    summary = doc.setdefault("ResumenFactura", {}) if fill else doc.get("ResumenFactura")
    if summary is None:
        return
    if fill and "CodigoTipoMoneda" not in summary:
        summary["CodigoTipoMoneda"] = {"CodigoMoneda": "CRC", "TipoCambio": Decimal(1)}
    venta = rec.settle(summary, summary_schema, "TotalVenta", gross_total, spath, "Σ MontoTotal of the lines")
    neta = rec.settle(summary, summary_schema, "TotalVentaNeta", venta, spath, "TotalVenta")
    reconcile_breakdown(summary, summary_schema, spath, breakdown, rec)
    tax = rec.settle(summary, summary_schema, "TotalImpuesto", tax_total, spath, "Σ ImpuestoNeto of the lines")
    total = rec.settle(summary, summary_schema, "TotalComprobante", neta + tax, spath, "TotalVentaNeta + TotalImpuesto")
    check_payments(summary, spath, total, issues)
