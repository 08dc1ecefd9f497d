import logging
from datetime import timedelta
from decimal import Decimal

import pytz
from odoo import api, fields, models
from odoo.fields import Domain

from hacienda_cr.errors import InputError

from ..declared import read_declared
from .document_families import DIRECTION_SELECTION, declares_amounts, direction, sign

_logger = logging.getLogger(__name__)

COSTA_RICA = pytz.timezone('America/Costa_Rica')
UNSENT_STATES = ('to_send', 'sent', 'error')
BACKFILL_BATCH = 200


def costa_rica_day(utc_naive):
    """The Costa Rican calendar day of a UTC datetime as Odoo stores it (naive UTC)."""
    if not utc_naive:
        return False
    return pytz.utc.localize(fields.Datetime.to_datetime(utc_naive)).astimezone(COSTA_RICA).date()


class L10nCrEinvoiceDocument(models.Model):
    _inherit = 'l10n_cr.einvoice.document'

    issue_day = fields.Date(
        string='Issue date (Costa Rica)', compute='_compute_issue_day', store=True, index=True,
        help='The day of FechaEmision in Costa Rica: the period the document belongs to.')
    direction = fields.Selection(DIRECTION_SELECTION, compute='_compute_direction', store=True)
    # What the signed XML declared, stored when Hacienda accepted it (see declared.py). Signed:
    # credit notes are negative, so sums over a period are what the period declared.
    declared_currency_id = fields.Many2one('res.currency', string='Declared currency', readonly=True)
    declared_exchange_rate = fields.Float(string='Exchange rate (TipoCambio)', digits=(16, 5), readonly=True)
    declared_amount_untaxed = fields.Monetary(
        string='Net sale (declared)', currency_field='declared_currency_id', readonly=True,
        help='TotalVentaNeta of the accepted document.')
    declared_amount_tax = fields.Monetary(
        string='Tax (declared)', currency_field='declared_currency_id', readonly=True,
        help='TotalImpuesto of the accepted document (after exonerations).')
    declared_amount_total = fields.Monetary(
        string='Total (declared)', currency_field='declared_currency_id', readonly=True,
        help='TotalComprobante of the accepted document.')
    declared_crc_currency_id = fields.Many2one('res.currency', string='Colones', readonly=True)
    declared_amount_untaxed_crc = fields.Monetary(
        string='Net sale (CRC)', currency_field='declared_crc_currency_id', readonly=True)
    declared_amount_tax_crc = fields.Monetary(
        string='Tax (CRC)', currency_field='declared_crc_currency_id', readonly=True)
    declared_amount_total_crc = fields.Monetary(
        string='Total (CRC)', currency_field='declared_crc_currency_id', readonly=True)
    declared_note = fields.Char(
        string='Declaration check', readonly=True,
        help='Set when the line taxes of the signed XML differ from its ResumenFactura breakdown.')
    tax_breakdown_ids = fields.One2many(
        'l10n_cr.einvoice.tax.breakdown', 'document_id', string='Declared taxes', readonly=True)
    replacement_document_ids = fields.One2many(
        'l10n_cr.einvoice.document', 'replaced_document_id', string='Replaced by', readonly=True)
    stuck = fields.Boolean(
        string='Stuck', compute='_compute_stuck', search='_search_stuck',
        help="Not answered by Hacienda for longer than the company's alert time (to send, sent or error).")
    # Stored: lists filter on it through the partial index below, instead of looking for a
    # replacement and the invoice's state for every rejected document of the history.
    needs_correction = fields.Boolean(
        string='Rejected, not corrected', compute='_compute_needs_correction', store=True,
        help='Rejected by Hacienda, with no document issued to replace it (and its invoice not cancelled).')
    stuck_alerted = fields.Datetime(string='Stuck alert sent', readonly=True, copy=False)
    rejected_alerted = fields.Datetime(string='Rejection alert sent', readonly=True, copy=False)

    # The dashboard's list, newest first.
    _issue_date_idx = models.Index('(issue_date, id)')
    # The documents that may need attention (waiting, in error, rejected and not corrected):
    # however long the history, the "needs attention" list, the alerts and /metrics read only
    # these. "IS TRUE" as the ORM writes the condition (a bare boolean would not match it).
    _attention_idx = models.Index(
        "(issue_date, id) WHERE state IN ('to_send', 'sent', 'error') OR needs_correction IS TRUE")

    @api.depends('issue_date')
    def _compute_issue_day(self):
        for doc in self:
            doc.issue_day = costa_rica_day(doc.issue_date)

    @api.depends('document_type')
    def _compute_direction(self):
        for doc in self:
            doc.direction = direction(doc.document_type)

    # -- stuck and uncorrected --------------------------------------------------------------

    @api.depends('state', 'issue_date')
    def _compute_stuck(self):
        stuck = self.filtered_domain(self._l10n_cr_stuck_domain())
        for doc in self:
            doc.stuck = doc in stuck

    @api.depends('state', 'replacement_document_ids', 'move_id.state')
    def _compute_needs_correction(self):
        for doc in self:
            doc.needs_correction = (doc.state == 'rejected' and not doc.replacement_document_ids
                                            and doc.move_id.state != 'cancel')

    @api.model
    def _l10n_cr_stuck_domain(self, now=None):
        """Documents Hacienda has not answered for longer than their company's alert time."""
        now = now or fields.Datetime.now()
        per_company = [
            Domain('company_id', '=', company.id)
            & Domain('issue_date', '<', now - timedelta(hours=company.l10n_cr_alert_unsent_hours))
            for company in self.env['res.company'].sudo().search([])
        ]
        return Domain('state', 'in', UNSENT_STATES) & Domain.OR(per_company or [Domain.FALSE])

    @api.model
    def _l10n_cr_needs_correction_domain(self, older_than=None):
        """Rejected documents nobody corrected yet. ``older_than``: {company_id: datetime}."""
        domain = Domain('needs_correction', '=', True)
        if older_than is not None:
            domain &= Domain.OR([
                Domain('company_id', '=', company_id) & Domain('answered_date', '<', when)
                for company_id, when in older_than.items()
            ] or [Domain.FALSE])
        return domain

    def _search_stuck(self, operator, value):
        if operator not in ('in', 'not in'):
            return NotImplemented
        domain = self._l10n_cr_stuck_domain()
        return domain if (operator == 'in') == (True in value) else ~domain

    # -- what was declared ------------------------------------------------------------------

    def _l10n_cr_set_accepted(self):
        result = super()._l10n_cr_set_accepted()
        self._l10n_cr_analytics_store_declared()
        return result

    def _l10n_cr_analytics_store_declared(self):
        """Store the declared totals and the tax breakdown of accepted documents from their
        signed XML. A document whose XML cannot be read is logged and left without figures:
        the acceptance itself must never fail for the sake of a report."""
        crc = self.env.ref('base.CRC')
        Breakdown = self.env['l10n_cr.einvoice.tax.breakdown'].sudo()
        Code = self.env['l10n_cr.einvoice.code']
        for doc in self.sudo():
            if not doc.xml_attachment_id or not declares_amounts(doc.document_type):
                continue
            try:
                declared = read_declared(doc.xml_attachment_id.raw)
            except (InputError, ValueError, ArithmeticError) as exc:
                _logger.warning("Electronic document %s: the declared amounts cannot be read: %s",
                                doc.display_name, exc)
                doc.declared_note = self.env._("The signed XML could not be read: %s", exc)
                continue
            try:
                with self.env.cr.savepoint():
                    doc._l10n_cr_analytics_write_declared(declared, crc, Breakdown, Code)
            except Exception as exc:  # the acceptance stands whatever the figures do
                _logger.exception("Electronic document %s: the declared amounts could not be stored", doc.display_name)
                doc.declared_note = self.env._("The declared amounts could not be stored: %s", exc)

    def _l10n_cr_analytics_write_declared(self, declared, crc, Breakdown, Code):
        self.ensure_one()
        doc = self
        factor = Decimal(sign(doc.document_type))
        currency = self.env['res.currency'].with_context(active_test=False).search(
            [('name', '=', declared.currency)], limit=1)
        rate = declared.exchange_rate

        def amounts(value, factor=factor, rate=rate):
            signed = value * factor
            return float(signed), float(round(signed * rate, 2))

        untaxed, untaxed_crc = amounts(declared.total_net)
        tax, tax_crc = amounts(declared.total_tax)
        total, total_crc = amounts(declared.total)
        doc.tax_breakdown_ids.unlink()
        vals_list = []
        for bucket in declared.buckets:
            base, base_crc = amounts(bucket.base)
            gross, gross_crc = amounts(bucket.tax)
            exonerated, exonerated_crc = amounts(bucket.exonerated)
            net, net_crc = amounts(bucket.net_tax)
            tax_code = Code._l10n_cr_get('tax_codes', bucket.tax_code) if bucket.tax_code else Code
            rate_code = Code._l10n_cr_get('iva_rate_codes', bucket.iva_rate_code) if bucket.iva_rate_code else Code
            vals_list.append({
                'document_id': doc.id,
                'direction': doc.direction,
                'issue_day': doc.issue_day,
                'tax_code': bucket.tax_code,
                'tax_code_id': tax_code.id,
                'iva_rate_code': bucket.iva_rate_code,
                'iva_rate_code_id': rate_code.id,
                'rate': float(bucket.rate) if bucket.rate is not None else 0.0,
                'tax_label': self._l10n_cr_tax_label(bucket, tax_code, rate_code),
                'line_count': bucket.lines,
                'currency_id': currency.id,
                'exchange_rate': float(rate),
                'base_amount': base, 'base_amount_crc': base_crc,
                'tax_amount': gross, 'tax_amount_crc': gross_crc,
                'exonerated_amount': exonerated, 'exonerated_amount_crc': exonerated_crc,
                'net_tax_amount': net, 'net_tax_amount_crc': net_crc,
                'crc_currency_id': crc.id,
            })
        Breakdown.create(vals_list)
        note = False
        if declared.mismatches:
            note = self.env._("Line taxes differ from the summary breakdown for %s.",
                              ', '.join(declared.mismatches))
        doc.write({
            'declared_currency_id': currency.id,
            'declared_exchange_rate': float(rate),
            'declared_amount_untaxed': untaxed,
            'declared_amount_tax': tax,
            'declared_amount_total': total,
            'declared_crc_currency_id': crc.id,
            'declared_amount_untaxed_crc': untaxed_crc,
            'declared_amount_tax_crc': tax_crc,
            'declared_amount_total_crc': total_crc,
            'declared_note': note,
        })

    @api.model
    def _l10n_cr_tax_label(self, bucket, tax_code, rate_code):
        if not bucket.tax_code:
            return self.env._("No tax")
        name = tax_code.name or bucket.tax_code
        if bucket.iva_rate_code:
            return f"{name} {float(bucket.rate or 0):g}% ({bucket.iva_rate_code})"
        if bucket.rate is not None:
            return f"{name} {float(bucket.rate):g}%"
        return name

    @api.model
    def _l10n_cr_analytics_backfill(self):
        """Declared figures for accepted documents that have none (install, or accepted while
        the module was not installed)."""
        Document = self.sudo().with_context(active_test=False)
        done = []
        while True:
            # A document whose XML cannot be read gets a note; none is taken twice anyway.
            docs = Document.search([('state', '=', 'accepted'), ('declared_crc_currency_id', '=', False),
                                    ('declared_note', '=', False), ('xml_attachment_id', '!=', False),
                                    ('direction', '!=', 'message'), ('id', 'not in', done)], limit=BACKFILL_BATCH)
            if not docs:
                break
            docs._l10n_cr_analytics_store_declared()
            done += docs.ids
        if done:
            _logger.info("E-invoicing analytics: declared figures stored for %s accepted document(s)", len(done))
        return len(done)

    # -- alerts -----------------------------------------------------------------------------

    @api.model
    def _cron_l10n_cr_analytics_document_alerts(self):
        """An activity on each document stuck or left rejected longer than its company allows."""
        Document = self.sudo()
        now = fields.Datetime.now()
        stuck = Document.search(self._l10n_cr_stuck_domain(now) & Domain('stuck_alerted', '=', False))
        for doc in stuck:
            doc = doc._l10n_cr_in_company_lang()
            hours = doc.company_id.l10n_cr_alert_unsent_hours
            doc._l10n_cr_analytics_alert(
                doc.env._("Not answered by Hacienda after %s hours", hours),
                doc.env._("%(document)s was issued on %(date)s UTC and is still %(state)s. %(problem)s",
                          document=doc.display_name, date=fields.Datetime.to_string(doc.issue_date),
                          state=doc._l10n_cr_state_label(), problem=doc.error_message or ''))
            doc.stuck_alerted = now
        companies = self.env['res.company'].sudo().search([])
        older_than = {c.id: now - timedelta(hours=c.l10n_cr_alert_rejected_hours) for c in companies}
        rejected = Document.search(self._l10n_cr_needs_correction_domain(older_than)
                                   & Domain('rejected_alerted', '=', False))
        for doc in rejected:
            doc = doc._l10n_cr_in_company_lang()
            doc._l10n_cr_analytics_alert(
                doc.env._("Rejected by Hacienda and not corrected"),
                doc.env._("%(document)s was rejected on %(date)s UTC and no corrected document has been "
                          "issued: %(reason)s", document=doc.display_name,
                          date=fields.Datetime.to_string(doc.answered_date),
                          reason=doc.hacienda_message or doc.error_message or ''))
            doc.rejected_alerted = now
        return len(stuck), len(rejected)

    def _l10n_cr_state_label(self):
        self.ensure_one()
        return dict(self._fields['state']._description_selection(self.env)).get(self.state, self.state)

    def _l10n_cr_analytics_alert(self, summary, note):
        self.ensure_one()
        user = self.company_id._l10n_cr_analytics_alert_users(preferred=self.move_id.invoice_user_id)[:1]
        if not user:
            _logger.warning("E-invoicing alert for %s: nobody to tell (%s)", self.display_name, summary)
            return
        self.sudo().activity_schedule('mail.mail_activity_data_todo', summary=summary, note=note, user_id=user.id)

    def action_l10n_cr_open_document(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window',
            'res_model': self._name,
            'res_id': self.id,
            'view_mode': 'form',
            'target': 'current',
        }
