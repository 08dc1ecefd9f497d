import base64
import calendar
from datetime import date, datetime, time, timedelta

import pytz
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from ..models.l10n_cr_einvoice_document import COSTA_RICA
from ..report.monthly_xlsx import monthly_report_xlsx

MONTHS = [
    ('1', 'January'), ('2', 'February'), ('3', 'March'), ('4', 'April'), ('5', 'May'), ('6', 'June'),
    ('7', 'July'), ('8', 'August'), ('9', 'September'), ('10', 'October'), ('11', 'November'), ('12', 'December'),
]
# Received documents the company accepted (fully or partly): the ones whose VAT it may credit.
RECEIVED_DECISIONS = ('accepted', 'partially_accepted')


def _previous_month(today):
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


class L10nCrEinvoiceMonthlyReport(models.TransientModel):
    """Pick a month and a company; print the issued and received documents of that month with
    their totals per tax rate (PDF), or download the same as a workbook (XLSX)."""

    _name = 'l10n_cr.einvoice.monthly.report'
    _description = 'Monthly e-invoicing report (D-104)'

    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company)
    month = fields.Selection(MONTHS, required=True,
                             default=lambda self: str(_previous_month(fields.Date.context_today(self))[1]))
    year = fields.Integer(required=True, default=lambda self: _previous_month(fields.Date.context_today(self))[0])
    xlsx_file = fields.Binary(string='Workbook', readonly=True, attachment=False)
    xlsx_filename = fields.Char(readonly=True)

    @api.constrains('year')
    def _check_year(self):
        for wizard in self:
            if not 2000 <= wizard.year <= 2999:
                raise UserError(self.env._("The year must have four digits (e.g. %s).", date.today().year))

    def _l10n_cr_period(self):
        self.ensure_one()
        month = int(self.month)
        return date(self.year, month, 1), date(self.year, month, calendar.monthrange(self.year, month)[1])

    def _l10n_cr_report_data(self):
        """Everything the PDF and the workbook show, in colones."""
        self.ensure_one()
        self.check_access('read')
        company = self.company_id
        if company not in self.env.user.company_ids:
            raise UserError(self.env._("You do not have access to %s.", company.name))
        date_from, date_to = self._l10n_cr_period()
        # A whole month: the monthly summaries answer (see models/summarised.py), however long the history.
        Analysis = self.env['l10n_cr.einvoice.analysis']
        issued_domain = [('company_id', '=', company.id), ('issue_day', '>=', date_from),
                         ('issue_day', '<=', date_to), ('direction', '!=', 'message')]
        by_type = Analysis._read_group(
            [*issued_domain, ('state', '=', 'accepted')], ['direction', 'document_type'],
            ['__count', 'amount_untaxed_crc:sum', 'amount_tax_crc:sum', 'amount_total_crc:sum'])
        type_labels = dict(Analysis._fields['document_type']._description_selection(self.env))
        direction_labels = dict(Analysis._fields['direction']._description_selection(self.env))
        issued_types = [{
            'direction': direction, 'direction_label': direction_labels.get(direction, direction),
            'document_type': doc_type, 'label': type_labels.get(doc_type, doc_type), 'count': count,
            'net': net or 0.0, 'tax': tax or 0.0, 'total': total or 0.0,
        } for direction, doc_type, count, net, tax, total in by_type]
        issued_types.sort(key=lambda r: (r['direction'] != 'sale', r['direction'], r['document_type']))
        Breakdown = self.env['l10n_cr.einvoice.tax.breakdown']
        # Only accepted documents have declared taxes (written on acceptance, a final state).
        by_rate = Breakdown._read_group(
            [('company_id', '=', company.id), ('issue_day', '>=', date_from), ('issue_day', '<=', date_to)],
            ['direction', 'tax_code', 'iva_rate_code', 'rate', 'tax_label'],
            ['base_amount_crc:sum', 'tax_amount_crc:sum', 'exonerated_amount_crc:sum', 'net_tax_amount_crc:sum'])
        issued_rates = [{
            'direction': direction, 'direction_label': direction_labels.get(direction, direction),
            'tax_code': tax_code or '', 'iva_rate_code': rate_code or '', 'rate': rate, 'label': label,
            'base': base or 0.0, 'tax': tax or 0.0, 'exonerated': exonerated or 0.0, 'net_tax': net or 0.0,
        } for direction, tax_code, rate_code, rate, label, base, tax, exonerated, net in by_rate]
        issued_rates.sort(key=lambda r: (r['direction'] != 'sale', r['direction'], r['tax_code'] or 'zz',
                                         r['iva_rate_code'], -(r['rate'] or 0)))
        not_accepted = Analysis._read_group([*issued_domain, ('state', '!=', 'accepted')], ['state'], ['__count'])
        state_labels = dict(Analysis._fields['state']._description_selection(self.env))
        received = self._l10n_cr_received_data(company, date_from, date_to)
        return {
            'company': company,
            'date_from': date_from,
            'date_to': date_to,
            'period': format_date(self.env, date_from, date_format='MMMM y').capitalize(),
            'currency': self.env.ref('base.CRC'),
            'issued_types': issued_types,
            'issued_type_totals': self._l10n_cr_totals(issued_types, ('count', 'net', 'tax', 'total'), by='direction'),
            'issued_rates': issued_rates,
            'issued_rate_totals': self._l10n_cr_totals(issued_rates, ('base', 'tax', 'exonerated', 'net_tax'), by='direction'),
            'not_accepted': [(state_labels.get(state, state), count) for state, count in not_accepted],
            **received,
        }

    @api.model
    def _l10n_cr_totals(self, rows, keys, by):
        totals = {}
        for row in rows:
            entry = totals.setdefault(row[by], dict.fromkeys(keys, 0.0) | {'label': row.get(f'{by}_label')})
            for key in keys:
                entry[key] += row[key] or 0.0
        return totals

    def _l10n_cr_received_data(self, company, date_from, date_to):
        """Supplier documents of the month the company accepted, in colones at their own exchange rate."""
        if 'l10n_cr.einvoice.received' not in self.env:
            return {'received_available': False, 'received_types': [], 'received_rates': [], 'received_pending': 0}
        Received = self.env['l10n_cr.einvoice.received']
        # The month's days in Costa Rica, as UTC bounds of the stored datetimes (the month's
        # documents only, through the index on the issue date).
        start, end = (COSTA_RICA.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
                      for day in (date_from, date_to + timedelta(days=1)))
        docs = Received.search([('company_id', '=', company.id), ('issue_date', '>=', start), ('issue_date', '<', end)])
        accepted = docs.filtered(lambda r: r.decision in RECEIVED_DECISIONS)
        type_labels = dict(Received._fields['document_type']._description_selection(self.env))
        types, rates = {}, {}
        for doc in accepted:
            rate = doc.exchange_rate or 1.0
            factor = -1 if doc.document_type == '03' else 1
            row = types.setdefault(doc.document_type, {
                'document_type': doc.document_type, 'label': type_labels.get(doc.document_type, doc.document_type),
                'count': 0, 'net': 0.0, 'tax': 0.0, 'total': 0.0})
            row['count'] += 1
            row['net'] += factor * round(doc.amount_untaxed * rate, 2)
            row['tax'] += factor * round(doc.amount_tax * rate, 2)
            row['total'] += factor * round(doc.amount_total * rate, 2)
            for line in doc.tax_line_ids:
                key = (line.tax_code or '', line.iva_rate_code or '', line.rate)
                entry = rates.setdefault(key, {
                    'tax_code': key[0], 'iva_rate_code': key[1], 'rate': line.rate, 'label': line.name,
                    'base': 0.0, 'tax': 0.0, 'exonerated': 0.0, 'count': 0})
                entry['base'] += factor * round(line.base_amount * rate, 2)
                entry['tax'] += factor * round(line.tax_amount * rate, 2)
                entry['exonerated'] += factor * round(line.exonerated_amount * rate, 2)
                entry['count'] += 1
        received_types = sorted(types.values(), key=lambda r: r['document_type'])
        received_rates = sorted(rates.values(), key=lambda r: (r['tax_code'], r['iva_rate_code'], -(r['rate'] or 0)))
        return {
            'received_available': True,
            'received_types': received_types,
            'received_type_total': {k: sum(r[k] for r in received_types) for k in ('count', 'net', 'tax', 'total')},
            'received_rates': received_rates,
            'received_rate_total': {k: sum(r[k] for r in received_rates) for k in ('base', 'tax', 'exonerated')},
            'received_pending': len(docs - accepted),
        }

    def _l10n_cr_file_stem(self):
        """The downloaded files' name (PDF and workbook), in the user's language."""
        self.ensure_one()
        return self.env._("e-invoicing-%(year)s-%(month)s-%(company)s", year=self.year,
                          month=self.month.zfill(2), company=self.company_id.vat or self.company_id.id)

    def action_l10n_cr_print_pdf(self):
        self.ensure_one()
        return self.env.ref('l10n_cr_einvoice_analytics.action_report_monthly').report_action(self)

    def action_l10n_cr_export_xlsx(self):
        self.ensure_one()
        data = self._l10n_cr_report_data()
        content = monthly_report_xlsx(self.env, data)
        self.write({
            'xlsx_file': base64.b64encode(content),
            'xlsx_filename': f"{self._l10n_cr_file_stem()}.xlsx",
        })
        return {
            'type': 'ir.actions.act_url',
            'url': f'/web/content/{self._name}/{self.id}/xlsx_file/{self.xlsx_filename}?download=true',
            'target': 'self',
        }

