"""The figures /metrics exposes, computed from the database at scrape time.

Nothing here lives in a worker's memory: whichever prefork worker answers a scrape reads
the same tables, so every scrape agrees (see hacienda_call.py for the call counters)."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from .l10n_cr_einvoice_document import costa_rica_day
from .l10n_cr_einvoice_hacienda_call import BUCKETS, OPERATIONS

STATES = ('to_send', 'sent', 'accepted', 'rejected', 'error')
COMPANY_LABELS = ['company_id', 'company']
CRON_LATE_AFTER = timedelta(minutes=10)


class L10nCrEinvoiceMetrics(models.AbstractModel):
    _name = 'l10n_cr.einvoice.metrics'
    _description = 'E-invoicing metrics (Prometheus)'

    @api.model
    def _l10n_cr_metric_families(self):
        """Every metric family, for prometheus_client's exposition (run as superuser)."""
        now = fields.Datetime.now()
        companies = self._l10n_cr_companies()
        families = []
        families += self._l10n_cr_document_families(companies, now)
        families += self._l10n_cr_email_families(companies)
        families += self._l10n_cr_certificate_families(companies, now)
        families += self._l10n_cr_declared_families(companies, now)
        families += self._l10n_cr_call_families(companies)
        families += self._l10n_cr_odoo_families(now)
        return families

    @api.model
    def _l10n_cr_companies(self):
        """{id: company} of companies that issue documents or have some."""
        # One index probe per company, not a pass over every document.
        with_docs = self.env.execute_query(SQL(
            "SELECT c.id FROM res_company c"
            " WHERE EXISTS (SELECT 1 FROM l10n_cr_einvoice_document d WHERE d.company_id = c.id)"))
        domain = ['|', ('l10n_cr_enabled', '=', True), ('id', 'in', [r[0] for r in with_docs])]
        return {c.id: c for c in self.env['res.company'].sudo().with_context(active_test=False).search(domain)}

    @staticmethod
    def _l10n_cr_labels(company):
        return [str(company.id), company.name or '']

    @api.model
    def _l10n_cr_document_families(self, companies, now):
        documents = GaugeMetricFamily(
            'l10n_cr_einvoice_documents', 'Electronic documents by company, state and document type.',
            labels=[*COMPANY_LABELS, 'state', 'document_type'])
        # From the monthly summary: a few hundred rows, whatever the history.
        Summary = self.env['l10n_cr.einvoice.analysis.summary'].sudo()
        counts = {(c.id, s, t): n for c, s, t, n in Summary._read_group(
            [], ['company_id', 'state', 'document_type'], ['document_count:sum'])}
        doc_types = [code for code, _label in self.env['l10n_cr.einvoice.document']._fields['document_type'].selection]
        for company in companies.values():
            for state in STATES:
                for doc_type in doc_types:
                    documents.add_metric([*self._l10n_cr_labels(company), state, doc_type],
                                         counts.get((company.id, state, doc_type), 0))
        stuck = GaugeMetricFamily(
            'l10n_cr_einvoice_documents_stuck',
            "Documents Hacienda has not answered for longer than the company's alert time.", labels=COMPANY_LABELS)
        uncorrected = GaugeMetricFamily(
            'l10n_cr_einvoice_documents_uncorrected',
            'Rejected documents not replaced by a corrected one (invoice not cancelled).', labels=COMPANY_LABELS)
        threshold = GaugeMetricFamily(
            'l10n_cr_einvoice_alert_unanswered_seconds',
            "The company's alert time for documents not answered by Hacienda.", labels=COMPANY_LABELS)
        oldest_unsent = GaugeMetricFamily(
            'l10n_cr_einvoice_oldest_unsent_age_seconds',
            'Age of the oldest document not yet received by Hacienda (to send, or stopped before sending); '
            '0 when there is none.', labels=COMPANY_LABELS)
        oldest_unanswered = GaugeMetricFamily(
            'l10n_cr_einvoice_oldest_unanswered_age_seconds',
            'Time since the oldest document waiting for Hacienda\'s answer was submitted; 0 when there is none.',
            labels=COMPANY_LABELS)
        due = GaugeMetricFamily(
            'l10n_cr_einvoice_queue_due_documents',
            'Documents due for a submission or a status query now (the queue\'s backlog).', labels=COMPANY_LABELS)
        Document = self.env['l10n_cr.einvoice.document'].sudo()
        stuck_counts = dict(Document._read_group(Document._l10n_cr_stuck_domain(now), ['company_id'], ['__count']))
        uncorrected_counts = dict(Document._read_group(
            Document._l10n_cr_needs_correction_domain(), ['company_id'], ['__count']))
        ages = {row[0]: row[1:] for row in self.env.execute_query(SQL(
            """SELECT company_id,
                      max(extract(epoch FROM %(now)s - issue_date)) FILTER (
                          WHERE state = 'to_send' OR (state = 'error' AND NOT coalesce(submission_started, false))),
                      max(extract(epoch FROM %(now)s - coalesce(submitted_date, issue_date))) FILTER (WHERE state = 'sent'),
                      count(*) FILTER (WHERE state IN ('to_send', 'sent') AND (next_try IS NULL OR next_try <= %(now)s))
                 FROM l10n_cr_einvoice_document
                WHERE state IN ('to_send', 'sent', 'error')
             GROUP BY company_id""", now=now))}
        for company in companies.values():
            labels = self._l10n_cr_labels(company)
            stuck.add_metric(labels, stuck_counts.get(company, 0))
            uncorrected.add_metric(labels, uncorrected_counts.get(company, 0))
            threshold.add_metric(labels, company.l10n_cr_alert_unsent_hours * 3600)
            unsent_age, unanswered_age, due_count = ages.get(company.id, (None, None, 0))
            oldest_unsent.add_metric(labels, max(float(unsent_age or 0), 0.0))
            oldest_unanswered.add_metric(labels, max(float(unanswered_age or 0), 0.0))
            due.add_metric(labels, due_count)
        return [documents, stuck, uncorrected, threshold, oldest_unsent, oldest_unanswered, due]

    @api.model
    def _l10n_cr_email_families(self, companies):
        """The e-mail after acceptance, which the queue sends and retries: what waits, what fails."""
        pending = GaugeMetricFamily(
            'l10n_cr_einvoice_email_pending',
            'Accepted documents whose e-mail to the customer is still to be sent.', labels=COMPANY_LABELS)
        failing = GaugeMetricFamily(
            'l10n_cr_einvoice_email_failing',
            'Accepted documents whose e-mail failed at its last attempt (retried with a backoff).',
            labels=COMPANY_LABELS)
        failures = CounterMetricFamily(
            'l10n_cr_einvoice_email_failures',
            'Failed attempts at e-mailing accepted documents.', labels=COMPANY_LABELS)
        rows = {row[0]: row[1:] for row in self.env.execute_query(SQL(
            """SELECT company_id,
                      count(*) FILTER (WHERE email_next_try IS NOT NULL),
                      count(*) FILTER (WHERE email_next_try IS NOT NULL AND email_error IS NOT NULL),
                      coalesce(sum(email_failures), 0)
                 FROM l10n_cr_einvoice_document
                WHERE state = 'accepted' AND (email_next_try IS NOT NULL OR email_failures > 0)
             GROUP BY company_id"""))}
        for company in companies.values():
            labels = self._l10n_cr_labels(company)
            waiting, failing_now, failed = rows.get(company.id, (0, 0, 0))
            pending.add_metric(labels, waiting)
            failing.add_metric(labels, failing_now)
            failures.add_metric(labels, failed)
        return [pending, failing, failures]

    @api.model
    def _l10n_cr_certificate_families(self, companies, now):
        days_left = GaugeMetricFamily(
            'l10n_cr_einvoice_certificate_days_left',
            'Days until the company\'s signing certificate expires (negative once expired).', labels=COMPANY_LABELS)
        alert_days = GaugeMetricFamily(
            'l10n_cr_alert_certificate_days',
            "The company's alert time before the certificate expires, in days.", labels=COMPANY_LABELS)
        for company in companies.values():
            days = company._l10n_cr_certificate_days_left(now)
            if days is not None:
                days_left.add_metric(self._l10n_cr_labels(company), round(days, 4))
            alert_days.add_metric(self._l10n_cr_labels(company), company.l10n_cr_alert_certificate_days)
        return [days_left, alert_days]

    @api.model
    def _l10n_cr_declared_families(self, companies, now):
        declared = GaugeMetricFamily(
            'l10n_cr_einvoice_declared_month_colones',
            'Amounts declared in accepted documents issued this month (Costa Rica time), in colones; '
            'credit notes subtract.', labels=[*COMPANY_LABELS, 'direction', 'amount'])
        month_start = costa_rica_day(now).replace(day=1)
        Summary = self.env['l10n_cr.einvoice.analysis.summary'].sudo()
        rows = Summary._read_group(
            [('state', '=', 'accepted'), ('issue_day', '>=', month_start), ('company_id', 'in', list(companies))],
            ['company_id', 'direction'],
            ['amount_untaxed_crc:sum', 'amount_tax_crc:sum', 'amount_total_crc:sum'])
        sums = {(company.id, direction): values for company, direction, *values in rows}
        for company in companies.values():
            for direction in ('sale', 'purchase', 'receipt'):
                values = sums.get((company.id, direction), (0.0, 0.0, 0.0))
                for amount, value in zip(('net', 'tax', 'total'), values, strict=True):
                    declared.add_metric([*self._l10n_cr_labels(company), direction, amount], value or 0.0)
        return [declared]

    @api.model
    def _l10n_cr_call_families(self, companies):
        calls = CounterMetricFamily(
            'l10n_cr_einvoice_hacienda_calls',
            'Calls to Hacienda by operation, outcome (ok or the kind of failure) and answer.',
            labels=[*COMPANY_LABELS, 'operation', 'outcome', 'answer'])
        duration = HistogramMetricFamily(
            'l10n_cr_einvoice_hacienda_call_duration_seconds',
            'Duration of calls to Hacienda (retries inside a call included).', labels=['operation'])
        Call = self.env['l10n_cr.einvoice.hacienda.call'].sudo()
        totals = {}
        histograms = {op: [[0] * (len(BUCKETS) + 1), 0.0] for op, _label in OPERATIONS}
        stored = self.env.execute_query(SQL(
            "SELECT operation, outcome, answer, company_ref, calls, seconds, buckets"
            " FROM l10n_cr_einvoice_hacienda_call_total"))
        pending = Call._l10n_cr_pending_aggregates()
        for operation, outcome, answer, company, count, seconds, buckets in stored:
            key = (company, operation, outcome, answer or '')
            totals[key] = totals.get(key, 0) + count
            histogram = histograms.setdefault(operation, [[0] * (len(BUCKETS) + 1), 0.0])
            for index, bucket_count in (buckets or {}).items():
                histogram[0][int(index)] += bucket_count
            histogram[1] += seconds or 0.0
        for operation, outcome, answer, company, bucket, count, seconds in pending:
            key = (company, operation, outcome, answer or '')
            totals[key] = totals.get(key, 0) + count
            histogram = histograms.setdefault(operation, [[0] * (len(BUCKETS) + 1), 0.0])
            histogram[0][bucket] += count
            histogram[1] += seconds or 0.0
        # A counter with no sample does not exist for Prometheus: until a company calls Hacienda,
        # its calls count as zero (so rates and alerts read 0, not "no data").
        for company_id in companies:
            for operation, _label in OPERATIONS:
                if not any(key[0] == company_id and key[1] == operation for key in totals):
                    totals[(company_id, operation, 'ok', '')] = 0
        names = {c.id: c.name for c in companies.values()}
        missing = {key[0] for key in totals} - set(names)
        if missing:
            names.update({c.id: c.name for c in self.env['res.company'].sudo().browse(missing).exists()})
        for (company, operation, outcome, answer), count in sorted(totals.items()):
            calls.add_metric([str(company), names.get(company, ''), operation, outcome, answer], count)
        for operation, (counts, seconds) in sorted(histograms.items()):
            cumulative, running = [], 0
            for bound, count in zip((*(f'{b:g}' for b in BUCKETS), '+Inf'), counts, strict=True):
                running += count
                cumulative.append((bound, running))
            duration.add_metric([operation], cumulative, seconds)
        return [calls, duration]

    @api.model
    def _l10n_cr_odoo_families(self, now):
        mail = GaugeMetricFamily('odoo_mail_queue_messages', 'Outgoing e-mails by state.', labels=['state'])
        counts = dict(self.env.execute_query(SQL("SELECT state, count(*) FROM mail_mail GROUP BY state")))
        for state in ('outgoing', 'exception'):
            mail.add_metric([state], counts.get(state, 0))
        late = GaugeMetricFamily(
            'odoo_cron_late_jobs', 'Active scheduled actions whose next run is more than 10 minutes late.')
        [(late_count,)] = self.env.execute_query(SQL(
            "SELECT count(*) FROM ir_cron WHERE active AND nextcall < %s", now - CRON_LATE_AFTER))
        late.add_metric([], late_count)
        triggers = GaugeMetricFamily(
            'odoo_cron_due_triggers', 'Scheduled-action wake-ups that are due and not taken by a cron worker yet.')
        [(due_count,)] = self.env.execute_query(SQL("SELECT count(*) FROM ir_cron_trigger WHERE call_at <= %s", now))
        triggers.add_metric([], due_count)
        return [mail, late, triggers]
