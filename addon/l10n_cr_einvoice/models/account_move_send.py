from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = 'account.move.send'

    @api.model
    def _get_invoice_extra_attachments(self, move):
        """The signed XML and Hacienda's answer travel with the PDF (mail, portal, downloads)."""
        attachments = super()._get_invoice_extra_attachments(move)
        document = move.l10n_cr_document_id
        if document:
            attachments |= document.xml_attachment_id | document.response_attachment_id
        return attachments

    @api.model
    def _get_alerts(self, moves, moves_data):
        alerts = super()._get_alerts(moves, moves_data)
        pending = moves.filtered(lambda m: m.l10n_cr_document_id
                                 and m.l10n_cr_document_id.state != 'accepted')
        if pending:
            alerts['l10n_cr_einvoice_not_accepted'] = {
                'level': 'warning',
                'message': self.env._(
                    "Hacienda has not accepted the electronic document of %s yet: the e-mail is sent "
                    "automatically once it does.", ', '.join(pending.mapped('display_name'))),
                'action_text': self.env._("View documents"),
                'action': pending.action_l10n_cr_documents(),
            }
        return alerts
