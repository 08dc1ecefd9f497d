from odoo import api, fields, models
from odoo.tools import SQL

from .document_families import DIRECTION_SELECTION


class L10nCrEinvoiceAnalysis(models.Model):
    """One row per electronic document, shaped for the dashboard's graph, pivot and list:
    counts, acceptance rate, stuck and uncorrected flags with the company's alert times, the
    reason of a problem, and the amounts declared in colones (credit notes negative)."""

    _name = 'l10n_cr.einvoice.analysis'
    _description = 'E-invoicing analysis (Costa Rica)'
    _auto = False
    _order = 'issue_date desc, id desc'
    _rec_name = 'name'
    # Fields the query reads: pending writes to them are flushed before the analysis is searched.
    _depends = {
        'l10n_cr.einvoice.document': [
            'name', 'company_id', 'move_id', 'partner_id', 'document_type', 'direction', 'state', 'error_kind',
            'hacienda_message', 'error_message', 'issue_date', 'issue_day', 'answered_date',
            'replaced_document_id', 'declared_amount_untaxed_crc', 'declared_amount_tax_crc',
            'declared_amount_total_crc',
        ],
        'res.company': ['l10n_cr_einvoice_alert_unsent_hours'],
        'account.move': ['state'],
    }

    document_id = fields.Many2one('l10n_cr.einvoice.document', string='Electronic document', readonly=True)
    name = fields.Char(string='Document', readonly=True)
    company_id = fields.Many2one('res.company', string='Company', readonly=True)
    move_id = fields.Many2one('account.move', string='Invoice', readonly=True)
    partner_id = fields.Many2one('res.partner', string='Partner', readonly=True)
    document_type = fields.Selection(selection='_selection_document_type', string='Document type', readonly=True)
    direction = fields.Selection(DIRECTION_SELECTION, string='Kind', readonly=True)
    state = fields.Selection(selection='_selection_state', string='State', readonly=True)
    error_kind = fields.Selection(selection='_selection_error_kind', string='Kind of problem', readonly=True)
    reason = fields.Text(string='Reason', readonly=True)
    issue_date = fields.Datetime(string='Issued on', readonly=True)
    issue_day = fields.Date(string='Issue date', readonly=True)
    answered_date = fields.Datetime(string='Answered on', readonly=True)
    document_count = fields.Integer(string='Documents', readonly=True)
    accepted_count = fields.Integer(string='Accepted', readonly=True)
    rejected_count = fields.Integer(string='Rejected', readonly=True)
    acceptance_rate = fields.Float(
        string='Acceptance rate (%)', readonly=True, aggregator='avg',
        help='Accepted documents among those Hacienda answered (accepted or rejected).')
    hours_to_answer = fields.Float(
        string='Hours to answer', readonly=True, aggregator='avg',
        help="Time from issue to Hacienda's final answer.")
    stuck = fields.Boolean(string='Stuck', readonly=True)
    needs_correction = fields.Boolean(string='Rejected, not corrected', readonly=True)
    crc_currency_id = fields.Many2one('res.currency', string='Colones', readonly=True)
    amount_untaxed_crc = fields.Monetary(string='Net sale (CRC)', currency_field='crc_currency_id', readonly=True)
    amount_tax_crc = fields.Monetary(string='Tax (CRC)', currency_field='crc_currency_id', readonly=True)
    amount_total_crc = fields.Monetary(string='Total (CRC)', currency_field='crc_currency_id', readonly=True)

    # The document model's own selections (and their translations), whatever types it gains.
    @api.model
    def _selection_document_type(self):
        return self._document_selection('document_type')

    @api.model
    def _selection_state(self):
        return self._document_selection('state')

    @api.model
    def _selection_error_kind(self):
        return self._document_selection('error_kind')

    @api.model
    def _document_selection(self, name):
        return self.env['l10n_cr.einvoice.document']._fields[name]._description_selection(self.env)

    @property
    def _table_query(self):
        crc = self.env.ref('base.CRC').id
        return SQL(
            """
            SELECT d.id, d.id AS document_id, d.name, d.company_id, d.move_id, d.partner_id, d.document_type,
                   d.direction, d.state, d.error_kind,
                   coalesce(nullif(d.hacienda_message, ''), d.error_message) AS reason,
                   d.issue_date, d.issue_day, d.answered_date,
                   1 AS document_count,
                   (d.state = 'accepted')::int AS accepted_count,
                   (d.state = 'rejected')::int AS rejected_count,
                   CASE d.state WHEN 'accepted' THEN 100.0 WHEN 'rejected' THEN 0.0 END AS acceptance_rate,
                   CASE WHEN d.state IN ('accepted', 'rejected') AND d.answered_date IS NOT NULL
                        THEN extract(epoch FROM d.answered_date - d.issue_date) / 3600.0 END AS hours_to_answer,
                   (d.state IN ('to_send', 'sent', 'error')
                    AND d.issue_date < (now() AT TIME ZONE 'UTC')
                                       - make_interval(hours => coalesce(c.l10n_cr_einvoice_alert_unsent_hours, 4)))
                       AS stuck,
                   (d.state = 'rejected'
                    AND NOT EXISTS (SELECT 1 FROM l10n_cr_einvoice_document r WHERE r.replaced_document_id = d.id)
                    AND coalesce(m.state, '') != 'cancel') AS needs_correction,
                   %(crc)s AS crc_currency_id,
                   coalesce(d.declared_amount_untaxed_crc, 0) AS amount_untaxed_crc,
                   coalesce(d.declared_amount_tax_crc, 0) AS amount_tax_crc,
                   coalesce(d.declared_amount_total_crc, 0) AS amount_total_crc
              FROM l10n_cr_einvoice_document d
              JOIN res_company c ON c.id = d.company_id
         LEFT JOIN account_move m ON m.id = d.move_id
            """, crc=crc)

    @api.model
    def _l10n_cr_rate_summary(self, domain=None):
        """Documents, accepted, rejected and the acceptance rate (None before any answer)."""
        [(count, accepted, rejected)] = self._read_group(
            domain or [], [], ['document_count:sum', 'accepted_count:sum', 'rejected_count:sum'])
        answered = (accepted or 0) + (rejected or 0)
        return {
            'documents': count or 0,
            'accepted': accepted or 0,
            'rejected': rejected or 0,
            'acceptance_rate': round(100.0 * accepted / answered, 2) if answered else None,
        }

    def action_open_document(self):
        self.ensure_one()
        return self.document_id.action_l10n_cr_open_document()
