from odoo import models


class AccountMoveReversal(models.TransientModel):
    _inherit = 'account.move.reversal'

    def _prepare_default_reversal(self, move):
        """The credit note's Razón for Hacienda: the reason the user gave, else one in the company's
        language. Odoo's own reference ("Reversal of: …") is in the customer's language, and is not
        what Hacienda asks for."""
        values = super()._prepare_default_reversal(move)
        if move.company_id.l10n_cr_enabled and move.move_type == 'out_invoice':
            lang = move.company_id._l10n_cr_lang()
            reason = self.reason or self.with_context(lang=lang).env._("Cancels or corrects %s", move.name)
            values['l10n_cr_reference_reason'] = reason[:180]
        return values
