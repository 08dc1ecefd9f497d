"""Documents accepted (and rejected) for real by the project's Hacienda simulator, from the
main module's test setup: a Costa Rican company, its master data and a simulator process."""

from odoo.addons.l10n_cr_einvoice.tests.common import L10nCrEinvoiceCommon, L10nCrEinvoiceHttpCommon


class AnalyticsMixin:
    def issue(self, partner, lines, **values):
        """Post an invoice and let the queue take its document to Hacienda's answer."""
        move = self.make_invoice(partner, lines, **values)
        self.process_queue()
        return move.l10n_cr_document_id

    def issue_rejected(self, partner, lines):
        self.simulator.faults(next=[{'kind': 'reject'}])
        return self.issue(partner, lines)

    def credit_note(self, move):
        """Reverse the whole invoice (Odoo's reversal wizard) and let the note be accepted."""
        wizard = self.env['account.move.reversal'].with_context(active_model='account.move', active_ids=move.ids)\
            .create({'reason': 'Devolución', 'journal_id': move.journal_id.id})
        note = self.env['account.move'].browse(wizard.refund_moves()['res_id'])
        note.action_post()
        self.process_queue()
        return note.l10n_cr_document_id


class AnalyticsCommon(AnalyticsMixin, L10nCrEinvoiceCommon):
    pass


class AnalyticsHttpCommon(AnalyticsMixin, L10nCrEinvoiceHttpCommon):
    pass
