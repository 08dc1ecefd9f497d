from odoo import api, fields, models

# MedioPago proposed for a new payment method, by its Odoo type: cash is Efectivo, a bank
# method at a till is most often a card terminal (Tarjeta), a customer account is settled
# later, usually by transfer. SINPE Móvil (06), cheques (03)... are chosen by hand.
DEFAULT_CODES = {'cash': '01', 'bank': '02', 'pay_later': '04'}


class PosPaymentMethod(models.Model):
    _inherit = 'pos.payment.method'

    l10n_cr_payment_method_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Hacienda payment method',
        domain=[('list_name', '=', 'payment_methods')],
        compute='_compute_l10n_cr_payment_method_id', store=True, readonly=False,
        help='MedioPago written in the electronic documents of the orders paid with this method: '
             '01 cash, 02 card, 03 cheque, 04 transfer, 06 SINPE Móvil, 07 digital platform, 99 other.')

    @api.depends('journal_id', 'split_transactions')
    def _compute_l10n_cr_payment_method_id(self):
        codes = self.env['l10n_cr.einvoice.code']
        for method in self:
            if method.l10n_cr_payment_method_id:
                continue
            code = DEFAULT_CODES.get(method.type)
            method.l10n_cr_payment_method_id = code and codes._l10n_cr_get('payment_methods', code)

    def _l10n_cr_payment_code(self):
        self.ensure_one()
        return self.l10n_cr_payment_method_id.code or DEFAULT_CODES.get(self.type) or '99'
