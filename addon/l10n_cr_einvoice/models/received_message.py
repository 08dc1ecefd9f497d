from odoo import fields, models


class L10nCrEinvoiceDocument(models.Model):
    """The Mensaje Receptor: the company's answer to a supplier's document, issued, signed, sent
    and followed as the company's own documents are."""

    _inherit = 'l10n_cr.einvoice.document'

    received_id = fields.Many2one(
        'l10n_cr.einvoice.received', string='Supplier document', readonly=True, index='btree_not_null',
        ondelete='restrict', check_company=True,
        help='For a Mensaje Receptor: the supplier document it answers.')
