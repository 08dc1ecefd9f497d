import logging

from markupsafe import Markup
from odoo import api, fields, models

_logger = logging.getLogger(__name__)


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
            return self.pos_order_id._l10n_cr_einvoice_values(self)
        return super()._l10n_cr_source_values()

    def _l10n_cr_log(self, body, attachments=None):
        # An outcome worth seeing from the order too, as from an invoice.
        super()._l10n_cr_log(body, attachments=attachments)
        if self.pos_order_id:
            note = Markup("%s<br/>%s") % (self.name, body) if self.name else body
            self.pos_order_id.sudo()._message_log(body=note)

    def _l10n_cr_set_rejected(self, reason):
        super()._l10n_cr_set_rejected(reason)
        if self.pos_order_id and not self.move_id:
            # The main module's advice is about invoices; a POS order is corrected differently.
            self.sudo().error_message = self.env._(
                "Hacienda rejected this document: %(reason)s\nCorrect the cause (the products, the customer or the "
                "company settings), then use \"Issue again\" on the POS order %(order)s: the new document will "
                "reference this one.", reason=reason, order=self.pos_order_id.name)

    # -- e-mail ----------------------------------------------------------------------------

    def _l10n_cr_send_email(self):
        self.ensure_one()
        if not (self.pos_order_id and not self.move_id):
            return super()._l10n_cr_send_email()
        doc = self.sudo()
        if doc.email_sent or not doc.company_id.l10n_cr_einvoice_auto_email:
            return None
        partner = doc.partner_id
        if not partner or not partner._l10n_cr_einvoice_email_list():
            return None  # a walk-in customer who left no address: the printed ticket is their copy
        template = self.env.ref('l10n_cr_einvoice_pos.email_template_pos_einvoice')
        attachments = doc.xml_attachment_id | doc.response_attachment_id
        try:
            with self.env.cr.savepoint():
                doc.message_post_with_source(template, message_type='comment', subtype_xmlid='mail.mt_comment',
                                             attachment_ids=attachments.ids)
            doc.email_sent = True
        except Exception as exc:  # the acceptance stands whatever the mail does
            _logger.warning("E-mail of %s failed: %s", doc.display_name, exc)
            doc._l10n_cr_log(self.env._("The e-mail to the customer could not be sent: %s", exc))
        return None

    @api.model
    def _l10n_cr_pos_pending_domain(self):
        """POS documents Hacienda has not accepted (nor finally rejected) yet."""
        return [('pos_order_id', '!=', False), ('state', 'in', ('to_send', 'sent', 'error'))]

    @api.model
    def _cron_l10n_cr_process_queue(self):
        # Paid orders whose document could not be issued get it as soon as their problem is corrected.
        if self.env['pos.order']._l10n_cr_einvoice_retry_not_issued():
            self._l10n_cr_commit()
        return super()._cron_l10n_cr_process_queue()
