"""The amounts of one line, as the annex defines them (pp. 30-47): derived when absent,
checked when given (``Reconciler``).

* MontoTotal = Cantidad × PrecioUnitario; SubTotal = MontoTotal − Σ MontoDescuento, or with a
  combo (DetalleSurtido) Σ SubTotalSurtido × Cantidad.
* BaseImponible = SubTotal + taxes 02, 04, 05 and 12 (a combo: Σ BaseImponibleSurtido ×
  Cantidad); given, it is kept with tax 07 or IVACobradoFabrica 01 (the annex makes it
  editable then).
* IVA (01, 07) = Tarifa × BaseImponible; for regalías and bonificaciones (discount codes 01,
  03) Tarifa × MontoTotal; IVA bienes usados (08) = FactorCalculoIVA × SubTotal. 02, 12 and
  99 with a Tarifa = Tarifa × SubTotal; the specific taxes 03-06 from their
  DatosImpuestoEspecifico. A combo's taxes are the sums of its components' × Cantidad.
* MontoExoneracion = TarifaExonerada × BaseImponible / 100 (at most the tax).
* ImpuestoAsumidoEmisorFabrica carries the tax of the regalías/bonificaciones;
  ImpuestoNeto = Σ Monto − Σ MontoExoneracion − ImpuestoAsumidoEmisorFabrica;
  MontoTotalLinea = SubTotal + ImpuestoNeto.

Classification of a line for the summary's class totals (pp. 50-52): a service when its
CABYS code starts with 5-9 (or, without CABYS, its unit is a service unit); exempt with IVA
rate code 10; not subject with rate codes 01 and 11 or without IVA; taxed otherwise, of
which the exonerated share Σ MontoExoneracion / Σ Monto is exonerated. A combo's MontoTotal
is split over its components' classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from hacienda_cr.documents.annex import A
from hacienda_cr.documents.schema_tree import Element
from hacienda_cr.documents.tree_data import child_path
from hacienda_cr.errors import Issue

MONEY = Decimal("0.00001")
TOLERANCE = Decimal("0.01")  # the half-cent of systems that keep 2 decimals (annex p. 12)
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

# CodigoImpuesto of the IVA: 01, and 07 "IVA cálculo especial" (annex note 8, p. 70).
IVA_CODES = frozenset({"01", "07"})
IVA_USED_GOODS = "08"
ALL_IVA = IVA_CODES | {IVA_USED_GOODS}
IN_IVA_BASE = {"02", "04", "05", "12"}  # taxes that form part of the IVA base (p. 36)
IN_COMBO_BASE = {"02", "04", "05"}  # the same for a combo's component (p. 31)
RATE_TAXES = {"02", "12", "99"}  # Tarifa × SubTotal
SPECIFIC_TAXES = {"03", "04", "05", "06"}
FACTORY_TAXES = {"03", "04", "05", "06", "12"}  # may be assumed by the issuer / collected at the factory (p. 46)
GIFT_DISCOUNTS = {"01", "03"}  # regalía, bonificación
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
EXEMPT_RATE_CODES = {"10"}
NOT_SUBJECT_RATE_CODES = {"01", "11"}
SERVICE_UNITS = {"Sp", "Spe", "St", "Os", "Al", "Alc", "Cm", "I"}
# CABYS codes for surtidos (combos): the catalogue entries that refer to the annex's rules.
SURTIDO_CABYS = frozenset({"2399999002200", "3532901000000", "3532902000000"})
COMBO_EXONERATED_RATE = "08"  # an exonerated combo's IVA is broken down under the general rate (p. 54)


def money(value: Decimal) -> Decimal:
    return value.quantize(MONEY, rounding=ROUND_HALF_UP)


def _d(value) -> Decimal:
    return value if isinstance(value, Decimal) else ZERO if value is None else Decimal(value)


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
        rule,
        *,
        required: bool = False,
        alternatives: tuple[Decimal, ...] = (),
    ) -> Decimal:
        """The amount ``key`` of ``container``: ``expected`` filled in when absent, checked when
        given (any of ``alternatives`` is accepted too). ``required``: present even when 0."""
        element = schema._children_by_name.get(key)  # schema.child(key), on the hot path
        if element is None:  # this document type has no such element
            return expected
        expected = expected.quantize(MONEY, ROUND_HALF_UP)  # money(expected)
        given = container.get(key)
        if given is None:
            if self.fill:
                if element.min_occurs > 0 or required or expected != 0:
                    container[key] = expected
            elif element.min_occurs == 0 and (required or expected != 0):
                self.issues.append(rule.issue(child_path(path, key), f"is missing; {formula} gives {expected}"))
            return expected
        if abs(given - expected) > TOLERANCE and all(abs(given - money(a)) > TOLERANCE for a in alternatives):
            self.issues.append(rule.issue(child_path(path, key), f"{given} does not match {formula} = {expected}"))
        return given


def is_service(cabys: str | None, unit: str | None = None) -> bool:
    if cabys:
        return cabys[0] in "56789"
    return unit in SERVICE_UNITS


def iva_class(rate_code: str | None) -> str:
    if rate_code in EXEMPT_RATE_CODES:
        return "exento"
    if rate_code in NOT_SUBJECT_RATE_CODES:
        return "no_sujeto"
    return "gravado"


def specific_tax(code: str, data: dict, quantity: Decimal, suffix: str = "") -> list[Decimal] | None:
    """The amounts the annex's formula(s) give for specific tax ``code`` (p. 42-43), or None."""
    if not data:
        return None
    units = data.get("CantidadUnidadMedida" + suffix)
    per_unit = data.get("ImpuestoUnidad" + suffix)
    if units is None or per_unit is None:
        return None
    if code == "03":
        return [units * per_unit]
    if code == "04":
        proportion = data.get("Proporcion" + suffix)
        return None if proportion is None else [quantity * proportion * per_unit]
    if code == "05":
        volume = data.get("VolumenUnidadConsumo" + suffix)
        if not volume:
            return None
        return [quantity * units * per_unit / volume, quantity * volume * per_unit]  # drinks, soap
    if code == "06":
        return [quantity * units * per_unit]
    return None


def _settle_proportion(data: dict, schema: Element | None, path: str, rec: Reconciler, suffix: str, rule) -> None:
    if not data or schema is None:
        return
    units, percent = data.get("CantidadUnidadMedida" + suffix), data.get("Porcentaje" + suffix)
    if units is not None and percent is not None:
        rec.settle(
            data,
            schema,
            "Proporcion" + suffix,
            units * percent / HUNDRED,
            path,
            "CantidadUnidadMedida × Porcentaje / 100",
            rule,
        )


def reconcile_combo(line: dict, schema: Element, path: str, rec: Reconciler) -> dict:
    """The components of a combo (DetalleSurtido, pp. 29-35), per unit of the combo."""
    combo_schema = schema.child("DetalleSurtido").child("LineaDetalleSurtido")
    tax_schema = combo_schema.child("ImpuestoSurtido")
    data_schema = tax_schema.child("DatosImpuestoEspecificoSurtido")
    figures = {"subtotal": ZERO, "base": ZERO, "by_code": {}, "breakdown": {}, "parts": []}
    cpath = child_path(path, "DetalleSurtido")
    for k, part in enumerate(line["DetalleSurtido"].get("LineaDetalleSurtido") or []):
        ppath = child_path(cpath, "LineaDetalleSurtido", k)
        quantity = _d(part.get("CantidadSurtido"))
        gross = rec.settle(
            part,
            combo_schema,
            "MontoTotalSurtido",
            quantity * _d(part.get("PrecioUnitarioSurtido")),
            ppath,
            "CantidadSurtido × PrecioUnitarioSurtido",
            A.SURTIDO_MONTO_TOTAL,
        )
        discounts = sum((_d(d.get("MontoDescuentoSurtido")) for d in part.get("DescuentoSurtido") or []), ZERO)
        if discounts > gross:
            rec.issues.append(
                A.SURTIDO_DESCUENTO.issue(
                    child_path(ppath, "DescuentoSurtido"), f"discounts {discounts} exceed MontoTotalSurtido {gross}"
                )
            )
        subtotal = rec.settle(
            part,
            combo_schema,
            "SubTotalSurtido",
            gross - discounts,
            ppath,
            "MontoTotalSurtido − Σ MontoDescuentoSurtido",
            A.SURTIDO_SUBTOTAL,
        )
        gift = any(d.get("CodigoDescuentoSurtido") in GIFT_DISCOUNTS for d in part.get("DescuentoSurtido") or [])
        taxes = part.get("ImpuestoSurtido") or []
        amounts = _other_taxes(taxes, COMPONENT, tax_schema, data_schema, ppath, subtotal, quantity, None, rec)
        extra = sum((amounts[i] for i, t in enumerate(taxes) if t.get("CodigoImpuestoSurtido") in IN_COMBO_BASE), ZERO)
        editable = part.get("IVACobradoFabricaSurtido") == "01" or any(
            t.get("CodigoImpuestoSurtido") == "07" for t in taxes
        )
        if editable and part.get("BaseImponibleSurtido") is not None:
            base = part["BaseImponibleSurtido"]
        else:
            base = rec.settle(
                part,
                combo_schema,
                "BaseImponibleSurtido",
                subtotal + extra,
                ppath,
                "SubTotalSurtido + taxes 02/04/05",
                A.SURTIDO_BASE,
            )
        cls = "no_sujeto"
        for i, tax in enumerate(taxes):
            code = tax.get("CodigoImpuestoSurtido")
            if code not in ALL_IVA:
                continue
            tpath = child_path(ppath, "ImpuestoSurtido", i)
            rate_code = tax.get("CodigoTarifaIVASurtido")
            if rec.fill and tax.get("TarifaSurtido") is None and rate_code in IVA_RATES:
                tax["TarifaSurtido"] = IVA_RATES[rate_code]
            rate = tax.get("TarifaSurtido")
            options = None
            if rate is not None and code in IVA_CODES:
                options = [(gross if gift and code == "01" else base) * rate / HUNDRED]
            amounts[i] = _settle_tax(
                tax, tax_schema, "MontoImpuestoSurtido", options, tpath, rec, A.SURTIDO_MONTO_IMPUESTO
            )
            cls = iva_class(rate_code)
            key = (code, rate_code)
            figures["breakdown"][key] = figures["breakdown"].get(key, ZERO) + amounts[i]
        for i, tax in enumerate(taxes):
            code = tax.get("CodigoImpuestoSurtido")
            figures["by_code"][code] = figures["by_code"].get(code, ZERO) + amounts[i]
            if code not in ALL_IVA:
                figures["breakdown"][(code, None)] = figures["breakdown"].get((code, None), ZERO) + amounts[i]
        figures["subtotal"] += subtotal
        figures["base"] += base
        figures["parts"].append((cls, is_service(part.get("CodigoCABYSSurtido")), gross))
    return figures


@dataclass(frozen=True)
class TaxKeys:
    """The names of a tax's elements: a line's, or a combo component's (…Surtido)."""

    element: str
    code: str
    rate: str
    amount: str
    data: str
    suffix: str
    rule: object
    proportion_rule: object


LINE = TaxKeys("Impuesto", "Codigo", "Tarifa", "Monto", "DatosImpuestoEspecifico", "", A.MONTO_IMPUESTO, A.PROPORCION)
COMPONENT = TaxKeys(
    "ImpuestoSurtido",
    "CodigoImpuestoSurtido",
    "TarifaSurtido",
    "MontoImpuestoSurtido",
    "DatosImpuestoEspecificoSurtido",
    "Surtido",
    A.SURTIDO_MONTO_IMPUESTO,
    A.SURTIDO_MONTO_IMPUESTO,
)


def _other_taxes(taxes, keys: TaxKeys, tax_schema, data_schema, path, subtotal, quantity, combo_by_code, rec) -> dict:
    """The amounts of the taxes other than IVA (by index): Tarifa × SubTotal (02, 12, 99), the
    specific taxes' formulas (03-06), a combo's components' sum, else as given."""
    amounts: dict[int, Decimal] = {}
    for i, tax in enumerate(taxes):
        code = tax.get(keys.code)
        if code in ALL_IVA:
            continue
        tpath = child_path(path, keys.element, i)
        if code == "04":
            _settle_proportion(
                tax.get(keys.data), data_schema, child_path(tpath, keys.data), rec, keys.suffix, keys.proportion_rule
            )
        options = None
        if combo_by_code and code in combo_by_code:
            options = [combo_by_code[code] * quantity]
        elif code in RATE_TAXES and tax.get(keys.rate) is not None:
            options = [subtotal * tax[keys.rate] / HUNDRED]
        elif code in SPECIFIC_TAXES:
            options = specific_tax(code, tax.get(keys.data), quantity, keys.suffix)
        amounts[i] = _settle_tax(tax, tax_schema, keys.amount, options, tpath, rec, keys.rule)
    return amounts


def _settle_tax(
    tax: dict, schema: Element, key: str, options: list[Decimal] | None, tpath: str, rec: Reconciler, rule
) -> Decimal:
    if options is None:
        if tax.get(key) is None:
            rec.issues.append(rule.issue(child_path(tpath, key), "is required: nothing in the document gives it"))
            return ZERO
        return tax[key]
    formula = "the annex's formula for this tax"
    return rec.settle(tax, schema, key, options[0], tpath, formula, rule, alternatives=tuple(options[1:]))


def reconcile_line(line: dict, schema: Element, path: str, rec: Reconciler) -> tuple:
    """Settle one line's amounts; returns its figures for the summary: (discounts, net tax,
    assumed tax, class parts, exonerated share, tax breakdown, taxed?).

    Every line of every document passes through here, so the common line (no combo, its
    taxes all IVA) takes no step it does not need: the discounts are walked once, the taxes
    outside IVA only when there are some."""
    children = schema._children_by_name  # schema.child(name), asked many times per line
    settle = rec.settle
    quantity = line.get("Cantidad")
    price = line.get("PrecioUnitario")
    if quantity is not None and price is not None:
        gross = settle(line, schema, "MontoTotal", quantity * price, path, "Cantidad × PrecioUnitario", A.MONTO_TOTAL)
    else:
        gross = _d(line.get("MontoTotal"))
    quantity = _d(quantity) if quantity is not None else ONE
    discounts_list = line.get("Descuento")
    discounts = gifts = ZERO
    if discounts_list:
        for d in discounts_list:
            amount = _d(d.get("MontoDescuento"))
            discounts += amount
            if d.get("CodigoDescuento") in GIFT_DISCOUNTS:
                gifts += amount
    if discounts > gross:
        rec.issues.append(
            A.MONTO_DESCUENTO.issue(child_path(path, "Descuento"), f"discounts {discounts} exceed MontoTotal {gross}")
        )
    combo = (
        reconcile_combo(line, schema, path, rec)
        if line.get("DetalleSurtido") and children.get("DetalleSurtido")
        else None
    )
    if combo:
        subtotal = settle(
            line, schema, "SubTotal", combo["subtotal"] * quantity, path, "Σ SubTotalSurtido × Cantidad", A.SUBTOTAL
        )
    else:
        subtotal = settle(line, schema, "SubTotal", gross - discounts, path, "MontoTotal − Σ MontoDescuento", A.SUBTOTAL)

    assumes = "ImpuestoAsumidoEmisorFabrica" in children
    tax_schema = children.get("Impuesto")
    taxes = line.get("Impuesto") or []
    others = special = False  # a tax outside IVA; IVA cálculo especial (07)
    for tax in taxes:
        code = tax.get("Codigo")
        if code not in ALL_IVA:
            others = True
        elif code == "07":
            special = True
    extra = ZERO
    if others:  # taxes outside IVA first: some of them are part of its base
        data_schema = tax_schema._children_by_name.get("DatosImpuestoEspecifico")
        amounts = _other_taxes(
            taxes, LINE, tax_schema, data_schema, path, subtotal, quantity, combo["by_code"] if combo else None, rec
        )
        extra = sum((amounts[i] for i, t in enumerate(taxes) if t.get("Codigo") in IN_IVA_BASE), ZERO)
    else:
        amounts = {}
    if (special or line.get("IVACobradoFabrica") == "01") and line.get("BaseImponible") is not None:
        base = line["BaseImponible"]
    elif combo:
        base = settle(
            line,
            schema,
            "BaseImponible",
            combo["base"] * quantity,
            path,
            "Σ BaseImponibleSurtido × Cantidad",
            A.BASE_IMPONIBLE,
        )
    else:
        base = settle(
            line, schema, "BaseImponible", subtotal + extra, path, "SubTotal + taxes 02/04/05/12", A.BASE_IMPONIBLE
        )

    parts: list[tuple[str, bool, Decimal]] = []
    exonerated: dict[int, Decimal] = {}
    gift_tax = ZERO
    iva_amount = ZERO
    for i, tax in enumerate(taxes):
        code = tax.get("Codigo")
        tpath = (path, "Impuesto", i)  # made into text only for an issue (path_text)
        if code in ALL_IVA:
            rate_code = tax.get("CodigoTarifaIVA")
            if (
                rec.fill
                and tax.get("Tarifa") is None
                and rate_code in IVA_RATES
                and not combo
                and "Tarifa" in tax_schema._children_by_name
            ):
                tax["Tarifa"] = IVA_RATES[rate_code]
            rate = tax.get("Tarifa")
            options = None
            if combo:
                if code in combo["by_code"]:
                    options = [combo["by_code"][code] * quantity]
            elif code == IVA_USED_GOODS:
                if tax.get("FactorCalculoIVA") is not None:
                    options = [tax["FactorCalculoIVA"] * subtotal]
            elif rate is not None:
                gift = assumes and code == "01" and gifts > 0
                options = [(gross if gift else base) * rate / HUNDRED]
            amount = amounts[i] = _settle_tax(tax, tax_schema, "Monto", options, tpath, rec, A.MONTO_IMPUESTO)
            iva_amount += amount
            if combo:
                parts.extend(combo["parts"])
            else:
                parts.append(
                    (iva_class(rate_code), is_service(line.get("CodigoCABYS"), line.get("UnidadMedida")), gross)
                )
        exemption = tax.get("Exoneracion")
        if exemption:
            epath = child_path(tpath, "Exoneracion")
            cap = amounts[i]
            given = exemption.get("MontoExoneracion")
            if combo and given is not None:  # editable on a combo, up to the tax (p. 46)
                if given > cap + TOLERANCE:
                    rec.issues.append(
                        A.MONTO_EXONERACION.issue(
                            child_path(epath, "MontoExoneracion"), f"{given} exceeds the tax {cap}"
                        )
                    )
                exonerated[i] = given
            else:
                exonerated[i] = settle(
                    exemption,
                    tax_schema.child("Exoneracion"),
                    "MontoExoneracion",
                    min(base * _d(exemption.get("TarifaExonerada")) / HUNDRED, cap),
                    epath,
                    "BaseImponible × TarifaExonerada / 100 (at most the tax)",
                    A.MONTO_EXONERACION,
                )
        if code == "01" and assumes and gifts > 0 and tax.get("Tarifa") is not None:
            gift_tax += min(money(gifts * tax["Tarifa"] / HUNDRED), amounts[i] - exonerated.get(i, ZERO))
    if not parts:  # no IVA: not subject to it
        parts = [("no_sujeto", is_service(line.get("CodigoCABYS"), line.get("UnidadMedida")), gross)]
    total_tax = sum(amounts.values(), ZERO)
    total_exonerated = sum(exonerated.values(), ZERO)
    assumed = _reconcile_assumed(line, schema, path, rec, gift_tax, total_tax - total_exonerated, taxes)
    net = settle(
        line,
        schema,
        "ImpuestoNeto",
        total_tax - total_exonerated - assumed,
        path,
        "Σ Monto − Σ MontoExoneracion − ImpuestoAsumidoEmisorFabrica",
        A.IMPUESTO_NETO,
    )
    if "ImpuestoNeto" not in children:
        net = money(total_tax - total_exonerated - assumed)
    settle(line, schema, "MontoTotalLinea", subtotal + net, path, "SubTotal + ImpuestoNeto", A.MONTO_TOTAL_LINEA)
    exonerated_share = min(ONE, total_exonerated / iva_amount) if iva_amount and total_exonerated else ZERO
    return (
        discounts,
        net,
        assumed,
        _scaled(parts, gross),
        exonerated_share,
        _line_breakdown(taxes, amounts, exonerated, assumed, combo, quantity),
        others or _taxed(parts),
    )


def _taxed(parts: list[tuple[str, bool, Decimal]]) -> bool:
    """Whether a line without taxes outside IVA counts as taxed for the summary: a taxed part
    (a tax outside IVA makes any line taxed)."""
    for cls, _, _ in parts:
        if cls == "gravado":
            return True
    return False


def _scaled(parts: list[tuple[str, bool, Decimal]], gross: Decimal) -> list[tuple[str, bool, Decimal]]:
    """A combo's components' MontoTotalSurtido, scaled to the line's MontoTotal."""
    if len(parts) == 1:
        return [(parts[0][0], parts[0][1], gross)]
    total = sum((p[2] for p in parts), ZERO)
    if not total:
        return [(parts[0][0], parts[0][1], gross)]
    scaled = [(cls, service, money(gross * amount / total)) for cls, service, amount in parts]
    rest = gross - sum((p[2] for p in scaled), ZERO)  # rounding: the parts add up to the line exactly
    cls, service, amount = scaled[-1]
    scaled[-1] = (cls, service, amount + rest)
    return scaled


def _reconcile_assumed(line, schema, path, rec: Reconciler, gift_tax: Decimal, net_before: Decimal, taxes) -> Decimal:
    """ImpuestoAsumidoEmisorFabrica (p. 46): the regalías' tax; with taxes collected at the
    factory, anything from that up to the line's tax; 0 otherwise."""
    if "ImpuestoAsumidoEmisorFabrica" not in schema._children_by_name:
        return ZERO
    given = line.get("ImpuestoAsumidoEmisorFabrica")
    if given is None:
        return rec.settle(
            line,
            schema,
            "ImpuestoAsumidoEmisorFabrica",
            gift_tax,
            path,
            "the tax of the regalías/bonificaciones",
            A.IMPUESTO_ASUMIDO,
        )
    factory = line.get("IVACobradoFabrica") or any(t.get("Codigo") in FACTORY_TAXES for t in taxes)
    apath = child_path(path, "ImpuestoAsumidoEmisorFabrica")
    if factory:
        if given < gift_tax - TOLERANCE or given > net_before + TOLERANCE:
            rec.issues.append(
                A.IMPUESTO_ASUMIDO.issue(
                    apath,
                    f"{given} must be between {money(gift_tax)} (regalías) and the line's tax {money(net_before)}",
                )
            )
    elif abs(given - gift_tax) > TOLERANCE:
        what = (
            "the tax of the regalías/bonificaciones"
            if gift_tax
            else "0: the line has no regalía, factory VAT or specific tax"
        )
        rec.issues.append(A.IMPUESTO_ASUMIDO.issue(apath, f"{given} must be {what} ({money(gift_tax)})"))
    return given


def _line_breakdown(taxes, amounts, exonerated, assumed, combo, quantity) -> dict:
    """Per (Codigo, CodigoTarifaIVA): the tax net of exonerations and assumed tax, the assumed
    tax taken from IVA first (p. 53)."""
    breakdown: dict[tuple[str, str | None], Decimal] = {}
    if len(taxes) == 1 and not combo:  # the common line: one tax, nothing to order or merge
        tax = taxes[0]
        net = amounts.get(0, ZERO) - exonerated.get(0, ZERO)
        taken = min(assumed, max(net, ZERO))
        breakdown[(tax.get("Codigo"), tax.get("CodigoTarifaIVA"))] = ZERO + (net - taken)  # as the loop adds it
        return breakdown
    remaining = assumed
    order = sorted(range(len(taxes)), key=lambda i: taxes[i].get("Codigo") not in ALL_IVA)
    for i in order:
        tax = taxes[i]
        code = tax.get("Codigo")
        net = amounts.get(i, ZERO) - exonerated.get(i, ZERO)
        taken = min(remaining, max(net, ZERO))
        remaining -= taken
        net -= taken
        if combo and code in ALL_IVA:
            reduced = exonerated.get(i, ZERO) + taken
            if reduced:
                key = (code, COMBO_EXONERATED_RATE)
                breakdown[key] = breakdown.get(key, ZERO) + net
            else:
                for (c, rate_code), amount in combo["breakdown"].items():
                    if c == code:
                        breakdown[(c, rate_code)] = breakdown.get((c, rate_code), ZERO) + amount * quantity
            continue
        key = (code, tax.get("CodigoTarifaIVA"))
        breakdown[key] = breakdown.get(key, ZERO) + net
    return breakdown
