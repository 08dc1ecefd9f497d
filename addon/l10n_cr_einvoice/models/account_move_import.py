from lxml import etree
from odoo import api, fields, models
from odoo.exceptions import UserError

from .l10n_cr_einvoice_received import DECISION_SELECTION

# Hacienda's v4.4 namespaces all start with this.
HACIENDA_NAMESPACE = 'https://cdn.comprobanteselectronicos.go.cr/xml-schemas/'
SUPPLIER_DOCUMENT_ROOTS = ('FacturaElectronica', 'NotaDebitoElectronica', 'NotaCreditoElectronica',
                           'TiqueteElectronico', 'FacturaElectronicaCompra', 'FacturaElectronicaExportacion')


class AccountMove(models.Model):
    """A supplier's signed XML uploaded on vendor bills (the Upload button, drag and drop, the
    chatter) or received by a purchase journal's e-mail alias goes through Odoo's import
    framework: this decoder turns it into the bill and its received-document record. A refusal
    (already imported, bad signature…) is written in the bill's chatter, as for any import."""

    _inherit = 'account.move'

    l10n_cr_received_ids = fields.One2many(
        'l10n_cr.einvoice.received', 'move_id', string='Supplier electronic documents', readonly=True)
    l10n_cr_received_id = fields.Many2one(
        'l10n_cr.einvoice.received', string='Supplier electronic document',
        compute='_compute_l10n_cr_received_id')
    l10n_cr_received_decision = fields.Selection(
        DECISION_SELECTION, string='Decision on the supplier document', compute='_compute_l10n_cr_received_id')

    @api.depends('l10n_cr_received_ids.decision')
    def _compute_l10n_cr_received_id(self):
        for move in self:
            received = move.l10n_cr_received_ids[:1]
            move.l10n_cr_received_id = received
            move.l10n_cr_received_decision = received.decision

    @api.model
    def _get_import_file_type(self, file_data):
        tree = file_data.get('xml_tree')
        if tree is not None and isinstance(tree.tag, str) and tree.tag.startswith('{' + HACIENDA_NAMESPACE):
            root = etree.QName(tree).localname
            if root in SUPPLIER_DOCUMENT_ROOTS:
                return 'l10n_cr_einvoice'
            # Hacienda's answer (MensajeHacienda) and receivers' messages travel with the document:
            # a type of their own keeps them in the document's group, where they are not decoded.
            return 'l10n_cr_einvoice_other'
        return super()._get_import_file_type(file_data)

    def _get_edi_decoder(self, file_data, new=False):
        if file_data.get('import_file_type') == 'l10n_cr_einvoice' and self.move_type in ('in_invoice', 'in_refund'):
            return {'decoder': self.env['l10n_cr.einvoice.received']._l10n_cr_decode_attachment, 'priority': 20}
        return super()._get_edi_decoder(file_data, new=new)

    def _post(self, soft=True):
        # A supplier document is worth booking only once Hacienda accepted it: until then it may
        # be a forgery, or be rejected (and then it has no tax value).
        for move in self:
            received = move.sudo().l10n_cr_received_ids[:1]
            if received and received.hacienda_state != 'aceptado':
                state = dict(received._fields['hacienda_state']._description_selection(self.env))[received.hacienda_state]
                raise UserError(self.env._(
                    "%(bill)s comes from the supplier's electronic document %(document)s, which Hacienda has not "
                    "accepted (%(state)s): it can be confirmed once Hacienda reports it accepted (Check at Hacienda "
                    "on the document).", bill=move.display_name, document=received.name, state=state))
        return super()._post(soft=soft)

    def _l10n_cr_default_document_type(self):
        # A bill made from a supplier's own electronic document never needs a Factura de Compra.
        if self.l10n_cr_received_ids:
            return False
        return super()._l10n_cr_default_document_type()

    def action_l10n_cr_received(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'l10n_cr.einvoice.received',
            'res_id': self.l10n_cr_received_id.id,
            'views': [(False, 'form')],
        }
