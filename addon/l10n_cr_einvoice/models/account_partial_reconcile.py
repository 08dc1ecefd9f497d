import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class AccountPartialReconcile(models.Model):
    """Payments of invoices sold on credit under article 27 of the VAT law (condition 10) or
    services to the State on credit (08) need a payment receipt (Recibo Electrónico de Pago)
    each: the VAT becomes due when the customer pays. Reconciling a payment with such an
    invoice issues it."""

    _inherit = 'account.partial.reconcile'

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._l10n_cr_issue_receipts()
        return partials

    def _l10n_cr_issue_receipts(self):
        issued = self.env['l10n_cr.einvoice.document']
        for partial in self:
            invoice = partial.debit_move_id.move_id
            payment = partial.credit_move_id.move_id
            if payment.is_invoice(include_receipts=True) or not invoice._l10n_cr_needs_receipts():
                continue
            try:
                with self.env.cr.savepoint():
                    issued |= invoice._l10n_cr_issue_receipt(payment, partial.debit_amount_currency)
            except UserError as exc:
                # The payment is recorded whatever happens to its receipt; say what to fix.
                invoice.message_post(body=self.env._(
                    "The payment receipt (Recibo Electrónico de Pago) could not be issued: %s\n"
                    "Fix it and use \"Issue payment receipts\" on the invoice.", exc.args[0]))
                invoice.activity_schedule(
                    'mail.mail_activity_data_todo', summary=self.env._("Payment receipt not issued"),
                    note=exc.args[0], user_id=(invoice.invoice_user_id or self.env.user).id)
        if issued:
            issued._l10n_cr_schedule(fields.Datetime.now())
