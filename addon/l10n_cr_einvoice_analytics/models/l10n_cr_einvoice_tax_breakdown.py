from odoo import api, fields, models

# The mixins' classes are defined before the models that inherit them.
from . import l10n_cr_einvoice_summarised, l10n_cr_einvoice_summary  # noqa: F401
from .document_families import DIRECTION_SELECTION


class L10nCrEinvoiceTaxBreakdown(models.Model):
    """The taxes an accepted document declared, one record per (tax code, VAT rate code, rate).

    Written when Hacienda accepts the document, from its signed XML (the line taxes and
    ResumenFactura), never edited. Amounts are signed: a credit note counts negative, so sums
    over a period are what the period declared."""

    _name = 'l10n_cr.einvoice.tax.breakdown'
    _inherit = ['l10n_cr.einvoice.summarised']
    _description = 'Declared taxes of an electronic document (Costa Rica)'
    # Pivots and graphs per tax and month are answered by the monthly summary below.
    _l10n_cr_summary = 'l10n_cr.einvoice.tax.summary'
    _order = 'issue_day desc, document_id desc, tax_code, iva_rate_code'
    _check_company_auto = True

    document_id = fields.Many2one(
        'l10n_cr.einvoice.document', string='Electronic document', required=True, readonly=True,
        index=True, ondelete='cascade')
    company_id = fields.Many2one(related='document_id.company_id', store=True, index=True)
    document_type = fields.Selection(related='document_id.document_type', store=True)
    partner_id = fields.Many2one(related='document_id.partner_id', store=True)
    direction = fields.Selection(DIRECTION_SELECTION, readonly=True, required=True)
    issue_day = fields.Date(string='Issue date', readonly=True, index=True,
                            help='Date of issue in Costa Rica (FechaEmision).')
    tax_code = fields.Char(string='Tax code', readonly=True, help='CodigoImpuesto; empty for lines without tax.')
    tax_code_id = fields.Many2one('l10n_cr.einvoice.code', string='Tax (code)', readonly=True)
    iva_rate_code = fields.Char(string='VAT rate code', readonly=True)
    iva_rate_code_id = fields.Many2one('l10n_cr.einvoice.code', string='VAT rate', readonly=True)
    rate = fields.Float(string='Rate (%)', readonly=True, aggregator=None)
    tax_label = fields.Char(string='Tax and rate', readonly=True)
    line_count = fields.Integer(string='Lines', readonly=True)
    currency_id = fields.Many2one('res.currency', string='Currency', readonly=True)
    exchange_rate = fields.Float(string='Exchange rate', digits=(16, 5), readonly=True, aggregator=None)
    base_amount = fields.Monetary(string='Taxable base', readonly=True)
    tax_amount = fields.Monetary(string='Tax', readonly=True)
    exonerated_amount = fields.Monetary(string='Exonerated', readonly=True)
    net_tax_amount = fields.Monetary(string='Tax due', readonly=True)
    crc_currency_id = fields.Many2one('res.currency', string='Colones', readonly=True)
    base_amount_crc = fields.Monetary(string='Taxable base (CRC)', currency_field='crc_currency_id', readonly=True)
    tax_amount_crc = fields.Monetary(string='Tax (CRC)', currency_field='crc_currency_id', readonly=True)
    exonerated_amount_crc = fields.Monetary(string='Exonerated (CRC)', currency_field='crc_currency_id', readonly=True)
    net_tax_amount_crc = fields.Monetary(string='Tax due (CRC)', currency_field='crc_currency_id', readonly=True)

    @api.depends('document_id', 'tax_label')
    def _compute_display_name(self):
        for record in self:
            record.display_name = f"{record.document_id.display_name} · {record.tax_label or ''}".strip(' ·')


class L10nCrEinvoiceTaxSummary(models.Model):
    """The declared taxes per company, month, kind, document type, tax and rate."""

    _name = 'l10n_cr.einvoice.tax.summary'
    _inherit = ['l10n_cr.einvoice.summary']
    _description = 'Declared taxes per month (Costa Rica)'
    _auto = False
    _l10n_cr_source_model = 'l10n_cr.einvoice.tax.breakdown'
    _l10n_cr_dimensions = ('company_id', 'issue_day', 'direction', 'document_type', 'tax_code', 'tax_code_id',
                           'iva_rate_code', 'iva_rate_code_id', 'rate', 'tax_label', 'currency_id', 'crc_currency_id')
    _l10n_cr_sums = {
        'breakdown_count': '1',
        **{name: f'r.{name}' for name in (
            'line_count', 'base_amount', 'tax_amount', 'exonerated_amount', 'net_tax_amount',
            'base_amount_crc', 'tax_amount_crc', 'exonerated_amount_crc', 'net_tax_amount_crc')},
    }
    _l10n_cr_count = 'breakdown_count'
    _l10n_cr_month = 'issue_day'

    company_id = fields.Many2one('res.company', string='Company', readonly=True)
    issue_day = fields.Date(string='Issue date', readonly=True)  # the first day of the month
    direction = fields.Char(string='Kind', readonly=True)
    document_type = fields.Char(string='Document type', readonly=True)
    tax_code = fields.Char(string='Tax code', readonly=True)
    tax_code_id = fields.Many2one('l10n_cr.einvoice.code', string='Tax (code)', readonly=True)
    iva_rate_code = fields.Char(string='VAT rate code', readonly=True)
    iva_rate_code_id = fields.Many2one('l10n_cr.einvoice.code', string='VAT rate', readonly=True)
    rate = fields.Float(string='Rate (%)', readonly=True)
    tax_label = fields.Char(string='Tax and rate', readonly=True)
    currency_id = fields.Many2one('res.currency', string='Currency', readonly=True)
    crc_currency_id = fields.Many2one('res.currency', string='Colones', readonly=True)
    breakdown_count = fields.Integer(string='Declared taxes', readonly=True)
    line_count = fields.Integer(string='Lines', readonly=True)
    base_amount = fields.Monetary(string='Taxable base', readonly=True)
    tax_amount = fields.Monetary(string='Tax', readonly=True)
    exonerated_amount = fields.Monetary(string='Exonerated', readonly=True)
    net_tax_amount = fields.Monetary(string='Tax due', readonly=True)
    base_amount_crc = fields.Monetary(string='Taxable base (CRC)', currency_field='crc_currency_id', readonly=True)
    tax_amount_crc = fields.Monetary(string='Tax (CRC)', currency_field='crc_currency_id', readonly=True)
    exonerated_amount_crc = fields.Monetary(string='Exonerated (CRC)', currency_field='crc_currency_id', readonly=True)
    net_tax_amount_crc = fields.Monetary(string='Tax due (CRC)', currency_field='crc_currency_id', readonly=True)
