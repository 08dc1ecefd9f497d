from odoo import api, fields, models


class L10nCrEinvoiceDocument(models.Model):
    _inherit = 'l10n_cr.einvoice.document'

    pos_order_id = fields.Many2one(
        'pos.order', string='POS order', readonly=True, index='btree_not_null', ondelete='restrict',
        check_company=True)
    pos_session_id = fields.Many2one(
        'pos.session', string='POS session', related='pos_order_id.session_id', store=True,
        index='btree_not_null')

    def _l10n_cr_source_values(self):
        self.ensure_one()
        if self.pos_order_id and not self.move_id:
            return self.pos_order_id._l10n_cr_values(self)
        return super()._l10n_cr_source_values()

    def _l10n_cr_source_records(self):
        return [*super()._l10n_cr_source_records(), self.pos_order_id]

    def _l10n_cr_related_records(self):
        # An outcome worth seeing from the order too, as from an invoice.
        return [*super()._l10n_cr_related_records(), *self.pos_order_id.exists()]

    def _l10n_cr_correction_hint(self):
        if self.pos_order_id and not self.move_id:
            # The main module's advice is about invoices; a POS order is corrected differently.
            return self.env._(
                "Correct the cause (the products, the customer or the company settings), then use \"Issue again\" "
                "on the POS order %s: the new document will reference this one.", self.pos_order_id.name)
        return super()._l10n_cr_correction_hint()

    # -- e-mail ----------------------------------------------------------------------------

    def _l10n_cr_email_source(self):
        # An order's own document is e-mailed from the document, to the customer who gave an address.
        if self.pos_order_id and not self.move_id:
            return self
        return super()._l10n_cr_email_source()

    def _l10n_cr_email_template(self):
        if self.pos_order_id and not self.move_id:
            return self.env.ref('l10n_cr_einvoice_pos.email_template_pos_einvoice')
        return super()._l10n_cr_email_template()

    @api.model
    def _cron_l10n_cr_process_queue(self):
        # Paid orders whose document could not be issued get it as soon as their problem is corrected.
        if self.env['pos.order']._l10n_cr_retry_not_issued():
            self._l10n_cr_commit()
        return super()._cron_l10n_cr_process_queue()
