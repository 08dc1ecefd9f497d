from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AccountJournal(models.Model):
    _inherit = 'account.journal'

    l10n_cr_establishment = fields.Integer(
        string='Establishment (sucursal)', default=1,
        help='Hacienda establishment number (1-999): the first three digits of the consecutivo.')
    l10n_cr_terminal = fields.Integer(
        string='Terminal', default=1,
        help='Point of sale / terminal number (1-99999) within the establishment.')
    l10n_cr_payment_method_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Payment method (CR)',
        domain=[('list_name', '=', 'payment_methods')],
        help='MedioPago of payments received in this journal (used in payment receipts).')

    @api.constrains('l10n_cr_establishment', 'l10n_cr_terminal')
    def _check_l10n_cr_numbering(self):
        for journal in self:
            if not 1 <= journal.l10n_cr_establishment <= 999:
                raise ValidationError(self.env._("The establishment must be a number from 1 to 999."))
            if not 1 <= journal.l10n_cr_terminal <= 99999:
                raise ValidationError(self.env._("The terminal must be a number from 1 to 99999."))


class AccountPaymentTerm(models.Model):
    _inherit = 'account.payment.term'

    l10n_cr_sale_condition_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Sale condition (CR)',
        domain=[('list_name', '=', 'sale_conditions')],
        help='CondicionVenta of invoices with this term. Empty: 01 cash when due on the invoice '
             'date, 02 credit otherwise.')
