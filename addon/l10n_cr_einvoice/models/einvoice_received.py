from odoo import api, fields, models
from odoo.exceptions import UserError

from hacienda_cr.codes import code_list

from .document_types import ABBREVIATIONS, RECEIVED_TYPE_SELECTION

HACIENDA_STATE_SELECTION = [
    ('unknown', 'Unknown'),
    ('aceptado', 'Accepted'),
    ('rechazado', 'Rejected'),
    ('procesando', 'Processing'),
    ('not_found', 'Not found'),
]
DECISION_SELECTION = [
    ('pending', 'Pending'),
    ('accepted', 'Accepted'),
    ('partially_accepted', 'Partially accepted'),
    ('rejected', 'Rejected'),
]
# CondicionImpuesto of a Mensaje Receptor: how the buyer uses the VAT it was charged.
TAX_CONDITION_SELECTION = [
    ('01', 'VAT credit (01)'),
    ('02', 'Partial VAT credit (02)'),
    ('03', 'Capital goods (03)'),
    ('04', 'Current expense, no credit (04)'),
    ('05', 'Proportional credit (05)'),
]
SOURCE_SELECTION = [('upload', 'Upload'), ('email', 'E-mail')]


class L10nCrEinvoiceReceived(models.Model):
    """One electronic document a supplier issued to the company, imported from its signed XML.

    The import checks the signature, the schema and the addressee, asks Hacienda for the
    document's state and creates the vendor bill. The company's answer (accept, partially
    accept, reject) is a Mensaje Receptor: an ``l10n_cr.einvoice.document`` of type 05, 06
    or 07 linked here, numbered, signed, sent and followed like the company's own documents."""

    _name = 'l10n_cr.einvoice.received'
    _inherit = ['mail.thread', 'mail.activity.mixin']
    _description = 'Received electronic document (Costa Rica)'
    _order = 'issue_date desc, id desc'
    _check_company_auto = True
    _rec_names_search = ['name', 'clave', 'consecutivo']

    name = fields.Char(compute='_compute_name', store=True)
    company_id = fields.Many2one(
        'res.company', required=True, readonly=True, index=True, default=lambda self: self.env.company)
    clave = fields.Char(required=True, readonly=True, index=True)
    consecutivo = fields.Char(readonly=True, help="The supplier's NumeroConsecutivo.")
    document_type = fields.Selection(RECEIVED_TYPE_SELECTION, required=True, readonly=True)
    supplier_id = fields.Many2one('res.partner', string='Supplier', required=True, readonly=True, index=True)
    supplier_identification = fields.Char(
        string="Supplier's identification", readonly=True, help='Type and number of the identification the supplier wrote as issuer.')
    supplier_activity = fields.Char(
        string='Supplier activity', readonly=True, help='CodigoActividadEmisor of the document.')
    issue_date = fields.Datetime(string='Issued on', readonly=True, help='FechaEmision of the document.')
    schema_set = fields.Char(string='Schema set', readonly=True)
    currency_id = fields.Many2one('res.currency', required=True, readonly=True)
    exchange_rate = fields.Float(
        string='Exchange rate', digits=(18, 5), readonly=True,
        help='TipoCambio of the document: colones per unit of its currency.')
    company_currency_id = fields.Many2one(related='company_id.currency_id', string='Company currency')
    amount_untaxed = fields.Monetary(
        string='Untaxed amount', currency_field='currency_id', readonly=True,
        help='TotalComprobante minus TotalImpuesto: net sales, other charges, less VAT returned.')
    amount_tax = fields.Monetary(string='Taxes', currency_field='currency_id', readonly=True,
                                 help='TotalImpuesto of the document.')
    amount_total = fields.Monetary(string='Total', currency_field='currency_id', readonly=True,
                                   help='TotalComprobante of the document.')
    amount_total_company = fields.Monetary(
        string='Total in company currency', currency_field='company_currency_id', readonly=True,
        help="TotalComprobante at the document's own exchange rate.")
    tax_line_ids = fields.One2many('l10n_cr.einvoice.received.tax', 'received_id', string='Taxes by rate',
                                   readonly=True)
    hacienda_state = fields.Selection(
        HACIENDA_STATE_SELECTION, string="State at Hacienda", default='unknown', required=True, readonly=True,
        index=True, tracking=True, help="Hacienda's answer about the supplier's document, when last asked.")
    hacienda_message = fields.Text(string="Hacienda's message", readonly=True)
    hacienda_checked_date = fields.Datetime(string='Asked Hacienda on', readonly=True)
    hacienda_next_check = fields.Datetime(string='Next check at Hacienda', readonly=True, index=True)
    hacienda_check_count = fields.Integer(string='Checks at Hacienda', readonly=True)
    hacienda_response_attachment_id = fields.Many2one(
        'ir.attachment', string="Hacienda's answer to the supplier", readonly=True, copy=False)
    decision = fields.Selection(
        DECISION_SELECTION, default='pending', required=True, readonly=True, index=True, tracking=True,
        help="The company's answer to the supplier's document (its Mensaje Receptor).")
    decision_reason = fields.Text(string='Reason', readonly=True, help='DetalleMensaje of the Mensaje Receptor.')
    tax_condition = fields.Selection(
        TAX_CONDITION_SELECTION, string='VAT condition', readonly=True, help='CondicionImpuesto of the message.')
    amount_tax_credit = fields.Monetary(
        string='VAT credited', currency_field='currency_id', readonly=True,
        help='MontoTotalImpuestoAcreditar of the message.')
    amount_expense = fields.Monetary(
        string='Applicable expense', currency_field='currency_id', readonly=True,
        help='MontoTotalDeGastoAplicable of the message.')
    move_id = fields.Many2one(
        'account.move', string='Vendor bill', readonly=True, index='btree_not_null', ondelete='set null',
        check_company=True, copy=False)
    message_document_ids = fields.One2many(
        'l10n_cr.einvoice.document', 'received_id', string='Messages to Hacienda', readonly=True)
    message_document_id = fields.Many2one(
        'l10n_cr.einvoice.document', string='Mensaje Receptor', readonly=True, copy=False,
        help='The latest message carrying the decision to Hacienda.')
    message_state = fields.Selection(related='message_document_id.state', string='Message state')
    xml_attachment_id = fields.Many2one('ir.attachment', string='Signed XML', readonly=True, copy=False)
    xml_file = fields.Binary(related='xml_attachment_id.datas', string='Signed XML file')
    xml_filename = fields.Char(related='xml_attachment_id.name', string='XML file name')
    signer = fields.Char(string='Signed by', readonly=True,
                         help="Subject and taxpayer identification of the signing certificate.")
    check_warnings = fields.Text(
        string='Warnings', readonly=True,
        help='What the import found questionable without refusing the document (totals, business rules).')
    source = fields.Selection(SOURCE_SELECTION, default='upload', required=True, readonly=True)
    journal_id = fields.Many2one('account.journal', string='Journal', readonly=True, check_company=True)
    user_id = fields.Many2one(
        'res.users', string='Responsible', default=lambda self: self.env.user, tracking=True,
        help='Who is told when Hacienda answers the message.')

    _clave_company_uniq = models.Constraint(
        'UNIQUE(company_id, clave)', 'A supplier document (clave) is imported once per company.')

    @api.depends('document_type', 'consecutivo', 'clave')
    def _compute_name(self):
        for received in self:
            number = received.consecutivo or (received.clave or '')[21:41]
            received.name = f"{ABBREVIATIONS.get(received.document_type, '')} {number}".strip()

    @api.ondelete(at_uninstall=False)
    def _unlink_without_messages(self):
        if self.message_document_ids:
            raise UserError(self.env._(
                "A supplier document answered with a Mensaje Receptor is kept as the record of that answer."))

    def action_open_bill(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'account.move',
            'res_id': self.move_id.id,
            'views': [(False, 'form')],
        }


class L10nCrEinvoiceReceivedTax(models.Model):
    """The taxes of a received document summed per tax code and rate, from its lines, in the
    document's currency (the buyer's VAT credit and analyses are read from here)."""

    _name = 'l10n_cr.einvoice.received.tax'
    _description = 'Taxes of a received electronic document (Costa Rica)'
    _order = 'received_id, tax_code, iva_rate_code, rate'

    received_id = fields.Many2one(
        'l10n_cr.einvoice.received', string='Supplier document', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='received_id.company_id', store=True)
    currency_id = fields.Many2one(related='received_id.currency_id', store=True)
    name = fields.Char(string='Tax', compute='_compute_name')
    tax_code = fields.Char(string='Tax code', required=True, help='CodigoImpuesto (01 VAT, 02 selective…).')
    iva_rate_code = fields.Char(string='VAT rate code', help='CodigoTarifaIVA (08 13%, 04 4%…).')
    rate = fields.Float(string='Rate (%)', digits=(6, 4))
    base_amount = fields.Monetary(string='Base', currency_field='currency_id')
    tax_amount = fields.Monetary(string='Tax', currency_field='currency_id', help='Charged: less any exoneration.')
    exonerated_amount = fields.Monetary(string='Exonerated', currency_field='currency_id')

    @api.depends('tax_code', 'iva_rate_code', 'rate')
    def _compute_name(self):
        taxes = code_list('tax_codes')
        rates = code_list('iva_rate_codes')
        for line in self:
            label = taxes.get(line.tax_code, line.tax_code or '')
            if line.iva_rate_code:
                label = f"{label}: {rates.get(line.iva_rate_code, line.iva_rate_code)}"
            elif line.rate:
                label = f"{label} {line.rate:g}%"
            line.name = label
