from decimal import ROUND_HALF_UP, Decimal

from hacienda_cr.codes import IVA_TAX_CODES, iva_rate

from .models.document_types import REFERENCE_TYPE
from .models.money import FIVE_PLACES, money

NOTES = ('02', '03')
SPECIFIC_TAXES = ('03', '04', '05', '06')  # computed per unit from DatosImpuestoEspecifico (annex p. 39)
RATE_TAXES = ('02', '12')  # computed with a Tarifa (p. 38)
CEMENT, CEMENT_RATE = '12', 5
TRANSITIONAL_RATES = ('05', '06', '07')  # VAT rate codes for notes only (p. 71)
GIFT_DISCOUNT = '01'  # regalía
EXPORT = '09'
SERVICE_UNIT = 'Sp'
GOODS_UNIT = 'Unid'


class SaleMapper:
    """The parts of a sale document that invoices and the point of sale share, as the library's
    data: the issuer, the customer, the currency, references to earlier documents, and how one
    sold line (product, quantity, price, discount, taxes) becomes a LineaDetalle.

    Each source maps its own records (account.move, pos.order) and asks this mapper for the
    shared parts; the document model keeps the lifecycle only. ``problems`` arguments collect
    what prevents the document, in the user's words."""

    def __init__(self, env):
        self.env = env

    def emisor(self, company):
        return company.partner_id._l10n_cr_party(
            'emisor', identification=company._l10n_cr_identification(),
            name=company.name, emails=company._l10n_cr_emails(),
            commercial_name=company.l10n_cr_commercial_name)

    def receptor(self, partner, doc_type, problems, company=None):
        """The Receptor of ``company``'s sale document of type ``doc_type`` to ``partner`` (None for
        an anonymous tiquete). ``company``: the current company by default."""
        partner = partner.commercial_partner_id
        company = company or self.env.company
        if doc_type == '04':
            # Anonymous sale: name and e-mail only when the customer gave them.
            if partner and partner != company.partner_id and len(partner.name or '') >= 3:
                receptor = {'Nombre': partner.name[:100]}
                emails = partner._l10n_cr_email_list()
                if emails:
                    receptor['CorreoElectronico'] = emails[0]
                return receptor
            return None
        if doc_type == '09':
            return partner._l10n_cr_party('export', problems=problems)
        return partner._l10n_cr_party('receptor', problems=problems)

    def reference_to(self, source, in_2026):
        """TipoDocIR / Numero / FechaEmisionIR of an InformacionReferencia pointing at ``source``,
        one of the company's documents (``in_2026``: the referencing document is in the 2026 set)."""
        ref_type = REFERENCE_TYPE.get(source.document_type, '99')
        values = {'Numero': source.clave, 'FechaEmisionIR': source._l10n_cr_issue_date_text()}
        if ref_type in ('19', '20') and not in_2026:
            values.update({'TipoDocIR': '99', 'TipoDocRefOTRO': source._l10n_cr_type_label()[:100]})
        else:
            values['TipoDocIR'] = ref_type
        return values

    def replaced_reference(self, document):
        """The InformacionReferencia of ``document`` to the rejected one it replaces (None when
        it replaces none): type 10, "comprobante electrónico rechazado por el Ministerio de
        Hacienda" (annex note 10, p. 73), reason 16 in the 2026 set, 07 before."""
        replaced = document.replaced_document_id
        if not (replaced and replaced.clave):
            return None
        return {
            'TipoDocIR': '10',
            'Numero': replaced.clave,
            'FechaEmisionIR': replaced._l10n_cr_issue_date_text(),
            'Codigo': '16' if document.schema_set != 'v4.4' else '07',
            'Razon': self.env._("Replaces the document rejected by Hacienda"),
        }

    def currency(self, currency, company, date):
        """CodigoTipoMoneda: the currency and its rate in colones on ``date``."""
        crc = self.env.ref('base.CRC')
        rate = 1.0 if currency == crc else self.env['res.currency']._get_conversion_rate(currency, crc, company, date)
        return {'CodigoMoneda': currency.name, 'TipoCambio': money(rate)}

    def line(self, *, where, product, description, quantity, price_unit, discount, taxes, uom,
             exoneration, discount_code, doc_type, problems, discount_nature=None, gift_price=0.0, date=None):
        """One LineaDetalle. ``where`` names the line in messages; what prevents the line is
        appended to ``problems`` in plain words. ``price_unit`` may include taxes (the taxes
        say so); the document carries the price without them.

        A line given away at price 0 is, in Hacienda's terms, a regalía: ``gift_price`` (the
        product's sales price in the document's currency) with a 100 % discount of code 01, whose
        VAT the issuer bears (annex pp. 37, 46). ``discount_nature`` says what a discount of code
        99 (other) is. ``date``: the document's, to check the exoneration against (default:
        today)."""
        cabys = product.product_tmpl_id.l10n_cr_cabys_id
        if not product:
            problems.append(self.env._("%s: has no product; Hacienda needs the product's CABYS code on every line.", where))
        elif not cabys:
            problems.append(self.env._("%(where)s: the product %(product)s has no CABYS code. Set it on the product, "
                              "General Information tab, Costa Rica e-invoicing (or ask whoever manages the "
                              "products).", where=where, product=product.display_name))
        # Only a seller gives a regalía: a purchase (08) has no ImpuestoAsumidoEmisorFabrica to carry its tax.
        if not price_unit and gift_price > 0 and doc_type != '08':
            price_unit, discount = gift_price, 100.0
            discount_code = self.env['l10n_cr.einvoice.code']._l10n_cr_get('discount_codes', GIFT_DISCOUNT)
        if quantity <= 0 or price_unit < 0:
            problems.append(self.env._("%s: quantities and prices must be positive; give discounts as a line discount.", where))
        elif not price_unit:
            problems.append(self.env._(
                "%s: Hacienda needs a unit price above zero. To give the product away, set its sales price: the "
                "line is then sent as a gift (regalía, a 100%% discount whose VAT the company bears).", where))
        unit = (product.product_tmpl_id.l10n_cr_unit_id or uom.l10n_cr_unit_id).code
        if not unit:
            service = (cabys and cabys._l10n_cr_is_service()) or product.type == 'service'
            unit = SERVICE_UNIT if service else GOODS_UNIT
        detail = ' '.join((description or '').split())
        if len(detail) < 3:
            detail = product.display_name or detail
        taxes = taxes.flatten_taxes_hierarchy()
        price_excluded = price_unit
        if any(tax.price_include for tax in taxes):
            price_excluded = taxes._get_tax_details(
                price_unit, 1.0, rounding_method='round_globally', product=product)['total_excluded']
        values = {
            'CodigoCABYS': cabys.code or '',
            'Cantidad': money(quantity),
            'UnidadMedida': unit,
            'Detalle': detail[:200],
            'PrecioUnitario': money(price_excluded),
        }
        if product.default_code:
            values['CodigoComercial'] = [{'Tipo': '01', 'Codigo': product.default_code[:20]}]
        heading = product.product_tmpl_id.l10n_cr_tariff_heading
        if doc_type == EXPORT and heading:
            values['PartidaArancelaria'] = heading
        elif doc_type == EXPORT and cabys and not cabys._l10n_cr_is_service():
            problems.append(self.env._(
                "%(where)s: an export invoice states the tariff heading of the goods: set \"Tariff heading\" on the "
                "product %(product)s (12 digits).", where=where, product=product.display_name))
        if discount:
            gross = Decimal(money(quantity)) * Decimal(money(price_excluded))  # MontoTotal, as the library computes it
            line_discount = {
                'MontoDescuento': str(gross.quantize(FIVE_PLACES, ROUND_HALF_UP)) if discount >= 100
                else money(float(gross) * discount / 100),
                'CodigoDescuento': discount_code.code or '07',
            }
            if line_discount['CodigoDescuento'] == '99':
                nature = ' '.join((discount_nature or '').split())
                if len(nature) < 5:
                    problems.append(self.env._(
                        "%s: a discount of code 99 (other) needs its nature: fill \"Discount nature\" on the line, or "
                        "the default discount nature in the settings (5 to 80 characters).", where))
                line_discount.update({'CodigoDescuentoOTRO': nature[:100], 'NaturalezaDescuento': nature[:80]})
            values['Descuento'] = [line_discount]
        values['Impuesto'] = self.taxes(taxes, quantity, exoneration, where, problems, doc_type,
                                        cabys_code=cabys.code, date=date)
        if not values['Impuesto'] and doc_type != '10':
            problems.append(self.env._("%s: has no tax. Hacienda needs the VAT of every line: use the exempt or 0%% "
                              "VAT tax when no VAT applies.", where))
        return values

    def other_charge(self, *, where, product, description, amount, taxes, problems):
        """One OtrosCargos element for a line whose product is an other charge (``amount``: the
        line's subtotal in the document's currency). What prevents it goes to ``problems``."""
        charge_type = product.product_tmpl_id.l10n_cr_other_charge_type_id.code
        if taxes:
            problems.append(self.env._(
                "%s: an other charge carries no tax in Hacienda's document: remove the line's taxes.", where))
        if amount <= 0:
            problems.append(self.env._("%s: an other charge must be an amount above zero.", where))
        detail = ' '.join((description or '').split()) or product.display_name or ''
        values = {'TipoDocumentoOC': charge_type, 'Detalle': detail[:160], 'MontoCargo': money(amount)}
        if charge_type == '99':
            values['TipoDocumentoOTROS'] = (product.display_name or detail)[:100]
        if charge_type == '04':
            third = product.product_tmpl_id.l10n_cr_third_party_id.commercial_partner_id
            id_type, number = third._l10n_cr_identification() if third else (False, '')
            if not (id_type and number):
                problems.append(self.env._(
                    "%(where)s: a charge collected for a third party names the third party: set it, with its "
                    "identification, on the product %(product)s.", where=where, product=product.display_name))
            else:
                values.update({'IdentificacionTercero': {'Tipo': id_type, 'Numero': number},
                               'NombreTercero': third.name[:100]})
        return values

    def taxes(self, taxes, quantity, exoneration, where, problems, doc_type=None, cabys_code=None, date=None):
        """The line's Impuesto elements; amounts the library derives are left out. An exoneration
        is checked against the line (dates, rate, covered CABYS code) before it is used."""
        result = []
        note = doc_type in NOTES
        for tax in taxes:
            code = tax.l10n_cr_tax_code_id.code
            if not code:
                problems.append(self.env._("%(where)s: the tax %(tax)s has no Hacienda tax code (set it on the tax).",
                                  where=where, tax=tax.name))
                continue
            if code == '08':
                problems.append(self.env._("%(where)s: the tax %(tax)s (VAT used goods regime) is not supported.",
                                  where=where, tax=tax.name))
                continue
            if code in SPECIFIC_TAXES:
                problems.append(self.env._(
                    "%(where)s: the tax %(tax)s (code %(code)s) is a specific tax Hacienda computes per unit "
                    "(litres, millilitres, alcohol): this module cannot document it.", where=where, tax=tax.name, code=code))
                continue
            if code in IVA_TAX_CODES:
                rate_code = tax.l10n_cr_iva_rate_code_id.code
                if rate_code in TRANSITIONAL_RATES and not note:
                    problems.append(self.env._(
                        "%(where)s: the tax %(tax)s has the transitional VAT rate code %(code)s, which Hacienda accepts "
                        "only in credit and debit notes: use a current VAT tax.", where=where, tax=tax.name, code=rate_code))
                values = {'Codigo': code, 'CodigoTarifaIVA': rate_code}
                if tax.l10n_cr_exonerated:
                    if not exoneration:
                        problems.append(self.env._(
                            "%(where)s: the tax %(tax)s is exonerated but the line has no exoneration "
                            "document (add it to the customer).", where=where, tax=tax.name))
                    else:
                        exoneration._l10n_cr_check_for(doc_type, where, problems)
                        points = float(iva_rate(rate_code)) - tax.amount
                        problems.extend(exoneration._l10n_cr_line_problems(where, date, cabys_code, points))
                        values['Exoneracion'] = exoneration._l10n_cr_values(points)
                result.append(values)
            elif code in RATE_TAXES and tax.amount_type != 'percent':
                problems.append(self.env._(
                    "%(where)s: the tax %(tax)s (code %(code)s) is a percentage in Hacienda's document: make it a "
                    "percentage tax.", where=where, tax=tax.name, code=code))
            elif code == CEMENT and tax.amount != CEMENT_RATE:
                problems.append(self.env._(
                    "%(where)s: the tax %(tax)s is the cement tax (code 12), which is 5%%.", where=where, tax=tax.name))
            elif tax.amount_type in ('percent', 'fixed'):
                values = {'Codigo': code}
                if tax.amount_type == 'percent':
                    values['Tarifa'] = money(tax.amount)
                else:
                    values['Monto'] = money(tax.amount * quantity)
                if code == '99':
                    values['CodigoImpuestoOTRO'] = tax.name[:100]
                result.append(values)
            else:
                problems.append(self.env._("%(where)s: the tax %(tax)s is computed in a way Hacienda's document "
                                  "cannot express.", where=where, tax=tax.name))
        return result
