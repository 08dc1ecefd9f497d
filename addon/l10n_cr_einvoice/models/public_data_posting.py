from odoo import fields, models
from odoo.tools import float_compare


class AccountMove(models.Model):
    """Before an invoice is posted, the public data its document depends on is refreshed from
    Hacienda: the BCCR rate of its date, its exoneration authorisations. A lookup that fails
    never stops the posting: the stored data is used and the invoice's chatter says so."""

    _inherit = 'account.move'

    def _post(self, soft=True):
        notes = {}
        for move in self.filtered(lambda m: m.state == 'draft' and m.company_id.l10n_cr_enabled
                                  and m.is_invoice(include_receipts=True)):
            texts = move._l10n_cr_refresh_public_data()
            if texts:
                notes[move] = texts
        posted = super()._post(soft)
        for move, texts in notes.items():
            if move in posted:
                move.message_post(body='\n'.join(texts))
        return posted

    def _l10n_cr_refresh_public_data(self):
        """Notes on what could not be confirmed (the stored data was used instead)."""
        self.ensure_one()
        notes = []
        if self.currency_id != self.company_currency_id:
            # The date Odoo's posting gives an invoice without one.
            day = self.invoice_date or fields.Date.context_today(self)
            automatic = self.expected_currency_rate
            rate_notes, added = self.env['res.currency.rate']._l10n_cr_ensure(self.company_id, self.currency_id, day)
            notes += rate_notes
            if added:
                self.invalidate_recordset(['expected_currency_rate'])
                # A rate the user typed on the invoice stays; the automatic one follows the new rate.
                if not float_compare(self.invoice_currency_rate, automatic, precision_digits=12):
                    self.refresh_invoice_currency_rate()
        exonerated = self.invoice_line_ids.filtered(
            lambda line: line.display_type == 'product' and any(line.tax_ids.mapped('l10n_cr_exonerated')))
        notes += exonerated.l10n_cr_exoneration_id._l10n_cr_refresh_for_posting()
        return notes
