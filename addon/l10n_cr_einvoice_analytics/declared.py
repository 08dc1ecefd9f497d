"""What a signed document declared, read back from its XML: the totals of ResumenFactura and
the taxes per (tax code, VAT rate code, rate), with their bases and exonerations.

Pure Python (the library's parser, no Odoo): the analytics module stores the result when
Hacienda accepts a document, so reports never parse XML at read time."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from hacienda_cr.documents import parse_document

ZERO = Decimal(0)
IVA = '01'
# A line without any Impuesto (not subject to tax) is reported under this key.
NO_TAX = ('', '', None)


@dataclass
class TaxBucket:
    tax_code: str  # CodigoImpuesto ('' = the line has no tax)
    iva_rate_code: str  # CodigoTarifaIVA ('' for other taxes)
    rate: Decimal | None  # Tarifa (None for fixed amounts)
    base: Decimal = ZERO
    tax: Decimal = ZERO  # Monto, before exoneration
    exonerated: Decimal = ZERO  # MontoExoneracion
    lines: int = 0

    @property
    def net_tax(self) -> Decimal:
        return self.tax - self.exonerated


@dataclass
class Declared:
    currency: str
    exchange_rate: Decimal
    total_sale: Decimal  # TotalVenta (before discounts)
    total_discount: Decimal
    total_net: Decimal  # TotalVentaNeta
    total_tax: Decimal  # TotalImpuesto (net of exonerations)
    total_other_charges: Decimal
    total: Decimal  # TotalComprobante
    buckets: list[TaxBucket] = field(default_factory=list)
    # (tax code, VAT rate code) whose line sum differs from TotalDesgloseImpuesto
    mismatches: list[str] = field(default_factory=list)


def _dec(value) -> Decimal:
    if value in (None, ''):
        return ZERO
    return Decimal(str(value))


def read_declared(xml: bytes) -> Declared:
    """The declared totals and tax breakdown of a signed v4.4 document (raises the library's
    InputError on XML it cannot read)."""
    parsed = parse_document(xml)
    data = parsed.data
    summary = data.get('ResumenFactura') or {}
    currency = summary.get('CodigoTipoMoneda') or {}
    buckets: dict[tuple, TaxBucket] = {}
    for line in (data.get('DetalleServicio') or {}).get('LineaDetalle') or []:
        subtotal = _dec(line.get('SubTotal'))
        taxes = line.get('Impuesto') or []
        if not taxes:
            bucket = buckets.setdefault(NO_TAX, TaxBucket(*NO_TAX))
            bucket.base += subtotal
            bucket.lines += 1
            continue
        for tax in taxes:
            code = tax.get('Codigo') or ''
            rate_code = tax.get('CodigoTarifaIVA') or ''
            rate = tax.get('Tarifa')
            key = (code, rate_code, None if rate is None else _dec(rate))
            bucket = buckets.setdefault(key, TaxBucket(*key))
            # VAT is charged on BaseImponible when other taxes raise the base; others on SubTotal.
            bucket.base += _dec(line.get('BaseImponible')) if code == IVA and line.get('BaseImponible') is not None \
                else subtotal
            bucket.tax += _dec(tax.get('Monto'))
            bucket.exonerated += _dec((tax.get('Exoneracion') or {}).get('MontoExoneracion'))
            bucket.lines += 1
    declared = Declared(
        currency=currency.get('CodigoMoneda') or 'CRC',
        exchange_rate=_dec(currency.get('TipoCambio')) or Decimal(1),
        total_sale=_dec(summary.get('TotalVenta')),
        total_discount=_dec(summary.get('TotalDescuentos')),
        total_net=_dec(summary.get('TotalVentaNeta')),
        total_tax=_dec(summary.get('TotalImpuesto')),
        total_other_charges=_dec(summary.get('TotalOtrosCargos')),
        total=_dec(summary.get('TotalComprobante')),
        buckets=sorted(buckets.values(), key=lambda b: (b.tax_code, b.iva_rate_code, b.rate or ZERO)),
    )
    # The summary's breakdown is what Hacienda checks: say so when the lines disagree with it.
    by_code: dict[tuple, Decimal] = {}
    for bucket in declared.buckets:
        if bucket.tax_code:
            key = (bucket.tax_code, bucket.iva_rate_code)
            by_code[key] = by_code.get(key, ZERO) + bucket.net_tax
    for row in summary.get('TotalDesgloseImpuesto') or []:
        key = (row.get('Codigo') or '', row.get('CodigoTarifaIVA') or '')
        if abs(by_code.pop(key, ZERO) - _dec(row.get('TotalMontoImpuesto'))) > Decimal('0.01'):
            declared.mismatches.append('/'.join(filter(None, key)))
    declared.mismatches.extend('/'.join(filter(None, key)) for key, value in by_code.items() if value)
    return declared
