from odoo import models


class AccountMove(models.Model):
    _inherit = 'account.move'

    def _l10n_cr_numbering_point(self):
        """An invoice made at a till (or its credit note from a refund at the till) takes the till's
        establishment and terminal, like the till's tickets. Orders of several terminals invoiced
        together have no single till: the invoice journal's numbering applies."""
        self.ensure_one()
        # sudo: whoever posts the invoice or registers its payment may have no point of sale rights.
        configs = self.sudo().pos_order_ids.config_id
        points = {(config.l10n_cr_establishment or 1, config.l10n_cr_terminal or 1) for config in configs}
        if len(points) == 1:
            return points.pop()
        return super()._l10n_cr_numbering_point()
