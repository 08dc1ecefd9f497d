from odoo import api, fields, models

from ..models.l10n_cr_einvoice_received import DECISION_SELECTION, TAX_CONDITION_SELECTION


class L10nCrEinvoiceReceivedDecision(models.TransientModel):
    """The company's answer to a supplier document: accept, accept partially or reject, with how
    its VAT is used. Confirming issues the Mensaje Receptor."""

    _name = 'l10n_cr.einvoice.received.decision'
    _description = 'Answer a supplier electronic document (Costa Rica)'

    received_id = fields.Many2one(
        'l10n_cr.einvoice.received', string='Supplier document', required=True, ondelete='cascade')
    decision = fields.Selection(
        [item for item in DECISION_SELECTION if item[0] != 'pending'], required=True, default='accepted')
    reason = fields.Text(help='DetalleMensaje: why the document is accepted partially or rejected (the supplier '
                              'reads it). Optional for an acceptance.')
    tax_condition = fields.Selection(
        TAX_CONDITION_SELECTION, string='VAT condition', default='01',
        help='How the company uses the VAT of this purchase (CondicionImpuesto).')
    currency_id = fields.Many2one(related='received_id.currency_id')
    amount_tax = fields.Monetary(related='received_id.amount_tax', string="Document's VAT")
    amount_tax_credit = fields.Monetary(
        string='VAT credited', help='For a partial credit (02) or proportionality (05): the VAT credited.')
    hacienda_state = fields.Selection(related='received_id.hacienda_state')

    @api.onchange('tax_condition', 'received_id')
    def _onchange_tax_condition(self):
        if self.tax_condition in ('01', '03'):
            self.amount_tax_credit = self.amount_tax
        elif self.tax_condition == '04':
            self.amount_tax_credit = 0.0

    def action_l10n_cr_confirm(self):
        self.ensure_one()
        self.received_id._l10n_cr_decide(
            self.decision, reason=self.reason, tax_condition=self.tax_condition,
            amount_tax_credit=self.amount_tax_credit)
        return {'type': 'ir.actions.act_window_close'}
