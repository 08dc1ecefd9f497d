from odoo import api, fields, models
from odoo.exceptions import ValidationError

from hacienda_cr.codes import IVA_TAX_CODES, iva_rate


class AccountTax(models.Model):
    _inherit = 'account.tax'

    l10n_cr_tax_code_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Hacienda tax code',
        domain=[('list_name', '=', 'tax_codes')],
        help='CodigoImpuesto: 01 for VAT, other codes for selective and specific taxes.',
    )
    l10n_cr_iva_rate_code_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='VAT rate code',
        domain=[('list_name', '=', 'iva_rate_codes')],
        help='CodigoTarifaIVA: 08 general 13%, 04 reduced 4%, 02 reduced 1%, 10 exempt…',
    )
    l10n_cr_exonerated = fields.Boolean(
        string='Exonerated VAT',
        help='A VAT reduced by an exoneration document: the rate code is the normal rate, this '
             'tax\'s percentage is what remains to be paid (0 for a full exoneration). Lines with '
             'this tax need the customer\'s exoneration document.',
    )

    @api.constrains('l10n_cr_tax_code_id', 'l10n_cr_iva_rate_code_id', 'amount', 'amount_type', 'l10n_cr_exonerated')
    def _check_l10n_cr_codes(self):
        for tax in self:
            code = tax.l10n_cr_tax_code_id.code
            if not code or code not in IVA_TAX_CODES:
                continue
            rate_code = tax.l10n_cr_iva_rate_code_id.code
            if not rate_code:
                raise ValidationError(self.env._(
                    "The VAT tax %s needs a VAT rate code (CodigoTarifaIVA).", tax.name))
            if tax.amount_type != 'percent' or code != '01':
                continue
            rate = float(iva_rate(rate_code))
            if tax.l10n_cr_exonerated:
                if not 0 <= tax.amount <= rate:
                    raise ValidationError(self.env._(
                        "The exonerated VAT %(tax)s charges %(amount)s%%, more than its rate code's %(rate)s%%.",
                        tax=tax.name, amount=tax.amount, rate=rate))
            elif abs(tax.amount - rate) > 1e-6:
                raise ValidationError(self.env._(
                    "The tax %(tax)s is %(amount)s%% but its VAT rate code %(code)s is %(rate)s%%.",
                    tax=tax.name, amount=tax.amount, code=rate_code, rate=rate))
