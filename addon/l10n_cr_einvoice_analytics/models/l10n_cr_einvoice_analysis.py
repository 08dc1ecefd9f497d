from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

# The mixins' classes are defined before the models that inherit them.
from . import l10n_cr_einvoice_summarised, l10n_cr_einvoice_summary  # noqa: F401
from .document_families import DIRECTION_SELECTION


class L10nCrEinvoiceAnalysis(models.Model):
    """One row per electronic document, shaped for the dashboard's graph, pivot and list:
    counts, acceptance rate, stuck and uncorrected flags with the company's alert times, the
    reason of a problem, and the amounts declared in colones (credit notes negative).

    Lists read the rows (ordered by an index on the issue date); graphs and pivots are
    answered by the monthly summary below when they group and filter by its dimensions."""

    _name = 'l10n_cr.einvoice.analysis'
    _inherit = ['l10n_cr.einvoice.summarised']
    _description = 'E-invoicing analysis (Costa Rica)'
    _l10n_cr_summary = 'l10n_cr.einvoice.analysis.summary'
    _auto = False
    _order = 'issue_date desc, id desc'
    _rec_name = 'name'
    # Fields the query reads: pending writes to them are flushed before the analysis is searched.
    _depends = {
        'l10n_cr.einvoice.document': [
            'name', 'company_id', 'move_id', 'partner_id', 'document_type', 'direction', 'state', 'error_kind',
            'hacienda_message', 'error_message', 'issue_date', 'issue_day', 'answered_date',
            'needs_correction', 'declared_amount_untaxed_crc', 'declared_amount_tax_crc',
            'declared_amount_total_crc',
        ],
        'res.company': ['l10n_cr_alert_unsent_hours'],
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
    stuck = fields.Boolean(string='Stuck', readonly=True, search='_search_stuck')
    needs_correction = fields.Boolean(string='Rejected, not corrected', readonly=True)
    crc_currency_id = fields.Many2one('res.currency', string='Colones', readonly=True)
    amount_untaxed_crc = fields.Monetary(string='Net sale (CRC)', currency_field='crc_currency_id', readonly=True)
    amount_tax_crc = fields.Monetary(string='Tax (CRC)', currency_field='crc_currency_id', readonly=True)
    amount_total_crc = fields.Monetary(string='Total (CRC)', currency_field='crc_currency_id', readonly=True)

    # The document model's own selections (and their translations), whatever types it gains.
    @api.model
    def _selection_document_type(self):
        return self._l10n_cr_document_selection('document_type')

    @api.model
    def _selection_state(self):
        return self._l10n_cr_document_selection('state')

    @api.model
    def _selection_error_kind(self):
        return self._l10n_cr_document_selection('error_kind')

    @api.model
    def _l10n_cr_document_selection(self, name):
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
                                       - make_interval(hours => coalesce(c.l10n_cr_alert_unsent_hours, 4)))
                       AS stuck,
                   d.needs_correction AS needs_correction,
                   %(crc)s AS crc_currency_id,
                   coalesce(d.declared_amount_untaxed_crc, 0) AS amount_untaxed_crc,
                   coalesce(d.declared_amount_tax_crc, 0) AS amount_tax_crc,
                   coalesce(d.declared_amount_total_crc, 0) AS amount_total_crc
              FROM l10n_cr_einvoice_document d
              JOIN res_company c ON c.id = d.company_id
            """, crc=crc)

    def _search_stuck(self, operator, value):
        """The documents' own condition (state, then issue date per company), which their
        indexes serve, rather than the column computed for every row."""
        if operator not in ('in', 'not in'):
            return NotImplemented
        domain = Domain(self.env['l10n_cr.einvoice.document']._l10n_cr_stuck_domain())
        return domain if (operator == 'in') == (True in value) else ~domain

    @api.model
    def _l10n_cr_derived_aggregates(self):
        def ratio(numerator, denominator, factor=1.0):
            return factor * numerator / denominator if denominator else None

        return {
            # The average of 100 (accepted) and 0 (rejected) over the answered documents.
            'acceptance_rate:avg': (['accepted_count:sum', 'rejected_count:sum'],
                                    lambda accepted, rejected: ratio(accepted, accepted + rejected, 100.0)),
            'hours_to_answer:avg': (['answer_hours:sum', 'answered_count:sum'], ratio),
        }

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

    def action_l10n_cr_open_document(self):
        self.ensure_one()
        return self.document_id.action_l10n_cr_open_document()


class L10nCrEinvoiceAnalysisSummary(models.Model):
    """The dashboard's figures per company, month, state, document type and kind of problem."""

    _name = 'l10n_cr.einvoice.analysis.summary'
    _inherit = ['l10n_cr.einvoice.summary']
    _description = 'E-invoicing analysis per month (Costa Rica)'
    _auto = False
    _l10n_cr_source_model = 'l10n_cr.einvoice.document'
    _l10n_cr_dimensions = ('company_id', 'issue_day', 'state', 'document_type', 'direction', 'error_kind')
    _l10n_cr_sums = {
        'document_count': '1',
        'accepted_count': "(r.state = 'accepted')::int",
        'rejected_count': "(r.state = 'rejected')::int",
        # as hours_to_answer of the analysis: answered documents only
        'answered_count': "(r.state IN ('accepted', 'rejected') AND r.answered_date IS NOT NULL)::int",
        'answer_hours': "CASE WHEN r.state IN ('accepted', 'rejected') AND r.answered_date IS NOT NULL"
                        " THEN extract(epoch FROM r.answered_date - r.issue_date) / 3600.0 ELSE 0 END",
        'amount_untaxed_crc': 'coalesce(r.declared_amount_untaxed_crc, 0)',
        'amount_tax_crc': 'coalesce(r.declared_amount_tax_crc, 0)',
        'amount_total_crc': 'coalesce(r.declared_amount_total_crc, 0)',
    }
    _l10n_cr_count = 'document_count'
    _l10n_cr_month = 'issue_day'

    # Dimensions hold the documents' values as they are (selections included): the analysis
    # model labels them.
    company_id = fields.Many2one('res.company', string='Company', readonly=True)
    issue_day = fields.Date(string='Issue date', readonly=True)  # the first day of the month
    state = fields.Char(string='State', readonly=True)
    document_type = fields.Char(string='Document type', readonly=True)
    direction = fields.Char(string='Kind', readonly=True)
    error_kind = fields.Char(string='Kind of problem', readonly=True)
    document_count = fields.Integer(string='Documents', readonly=True)
    accepted_count = fields.Integer(string='Accepted', readonly=True)
    rejected_count = fields.Integer(string='Rejected', readonly=True)
    answered_count = fields.Integer(string='Answered documents', readonly=True)
    answer_hours = fields.Float(string='Hours to answer, summed', readonly=True)
    crc_currency_id = fields.Many2one('res.currency', string='Colones', readonly=True)
    amount_untaxed_crc = fields.Monetary(string='Net sale (CRC)', currency_field='crc_currency_id', readonly=True)
    amount_tax_crc = fields.Monetary(string='Tax (CRC)', currency_field='crc_currency_id', readonly=True)
    amount_total_crc = fields.Monetary(string='Total (CRC)', currency_field='crc_currency_id', readonly=True)

    @api.model
    def _l10n_cr_constants(self):
        return {'crc_currency_id': SQL('%s', self.env.ref('base.CRC').id)}
