"""Every call to Hacienda, counted and timed, shared by all of Odoo's processes.

Odoo runs several worker processes (HTTP and cron), recycled after a number of requests or
when they grow too big, so nothing kept in a process's memory survives or adds up. Each call
is therefore written as one row, in its own short transaction, to a table every worker
shares (``l10n_cr_einvoice_hacienda_call``); an hourly cron folds old rows into per-label
totals with histogram buckets (``l10n_cr_einvoice_hacienda_call_total``), so the table stays
small. A scrape adds the totals and the rows not folded yet: the counters are exact whatever
worker answers, and survive restarts of Odoo and of Redis."""

import json
import logging
import time

from odoo import api, fields, models
from odoo.modules import module as odoo_module
from odoo.tools import SQL

from hacienda_cr.api import kind_of

_logger = logging.getLogger(__name__)

# Histogram upper bounds (seconds) of a call to Hacienda: a token takes ~0.1 s, a submission
# with its retries can take tens of seconds.
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
OPERATIONS = [('token', 'Token'), ('submit', 'Submission'), ('status', 'Status query')]
COMPACT_AFTER_MINUTES = 10  # rows younger than this stay as they are (cheap to sum)


class L10nCrEinvoiceHaciendaCall(models.Model):
    _name = 'l10n_cr.einvoice.hacienda.call'
    _description = 'Call to Hacienda (not aggregated yet)'
    _log_access = False
    _order = 'id desc'

    operation = fields.Selection(OPERATIONS, required=True, readonly=True)
    outcome = fields.Char(required=True, readonly=True, help='ok, or the kind of failure (transient, configuration, rejected, input, unknown).')
    answer = fields.Char(readonly=True, help="Hacienda's answer: received / already_received, or the document's status.")
    # A plain integer, not a foreign key: a call is recorded from its own transaction, which
    # may not see a company created in the caller's (uncommitted) one.
    company_ref = fields.Integer(string='Company ID', readonly=True, index=True)
    duration = fields.Float(string='Seconds', readonly=True)
    called_at = fields.Datetime(required=True, readonly=True, index=True)

    @api.model
    def _l10n_cr_record(self, env, operation, outcome, answer, company_id, seconds):
        """Write one call, durably even when the caller's transaction is rolled back (a failed
        connection test raises, the request then rolls back: the failure must still count)."""
        query = SQL(
            "INSERT INTO l10n_cr_einvoice_hacienda_call (operation, outcome, answer, company_ref, duration, called_at)"
            " VALUES (%s, %s, %s, %s, %s, now() AT TIME ZONE 'UTC')",
            operation, outcome, answer or '', company_id, seconds)
        try:
            if odoo_module.current_test:
                # Tests run in one transaction that is rolled back: write in it (a savepoint
                # keeps a failure here from breaking the test's own transaction).
                with env.cr.savepoint(flush=False):
                    env.cr.execute(query)
            else:
                with env.registry.cursor() as cr:
                    cr.execute(query)
        except Exception:  # counting must never break invoicing
            _logger.warning("Could not record a call to Hacienda (%s %s)", operation, outcome, exc_info=True)

    @api.model
    def _l10n_cr_bucket_case(self, column):
        """SQL: the index in BUCKETS of the first bound >= column (len(BUCKETS) for +Inf)."""
        parts = [SQL("WHEN %s <= %s THEN %s", SQL.identifier(column), bound, index)
                 for index, bound in enumerate(BUCKETS)]
        return SQL("CASE %s ELSE %s END", SQL(" ").join(parts), len(BUCKETS))

    @api.model
    def _l10n_cr_pending_aggregates(self):
        """Rows not folded into the totals yet, summed per labels and bucket."""
        return self.env.execute_query(SQL(
            "SELECT operation, outcome, answer, company_ref, %s AS bucket, count(*), sum(duration)"
            " FROM l10n_cr_einvoice_hacienda_call GROUP BY 1, 2, 3, 4, 5",
            self._l10n_cr_bucket_case('duration')))

    @api.model
    def _cron_l10n_cr_compact(self):
        """Fold the rows older than a few minutes into the totals (one transaction: a scrape
        sees them either as rows or in the totals, never twice)."""
        rows = self.env.execute_query(SQL(
            "WITH moved AS (DELETE FROM l10n_cr_einvoice_hacienda_call"
            "  WHERE called_at < (now() AT TIME ZONE 'UTC') - make_interval(mins => %s)"
            "  RETURNING operation, outcome, answer, company_ref, duration)"
            " SELECT operation, outcome, answer, company_ref, %s AS bucket, count(*), sum(duration)"
            " FROM moved GROUP BY 1, 2, 3, 4, 5",
            COMPACT_AFTER_MINUTES, self._l10n_cr_bucket_case('duration')))
        self.env['l10n_cr.einvoice.hacienda.call.total']._l10n_cr_add(rows)
        return sum(row[5] for row in rows)


class L10nCrEinvoiceHaciendaCallTotal(models.Model):
    _name = 'l10n_cr.einvoice.hacienda.call.total'
    _description = 'Calls to Hacienda (aggregated)'
    _log_access = False

    operation = fields.Selection(OPERATIONS, required=True, readonly=True)
    outcome = fields.Char(required=True, readonly=True)
    answer = fields.Char(required=True, readonly=True)
    company_ref = fields.Integer(string='Company ID', required=True, readonly=True)
    calls = fields.Integer(readonly=True)
    seconds = fields.Float(readonly=True)
    # {"bucket index": calls}: the calls that took at most BUCKETS[index] and more than the bound before
    buckets = fields.Json(readonly=True)

    _labels_uniq = models.Constraint(
        'UNIQUE(operation, outcome, answer, company_ref)', 'One total per operation, outcome, answer and company.')

    @api.model
    def _l10n_cr_add(self, rows):
        """Add (operation, outcome, answer, company, bucket, calls, seconds) rows to the totals."""
        merged = {}
        for operation, outcome, answer, company, bucket, calls, seconds in rows:
            entry = merged.setdefault((operation, outcome, answer or '', company or 0), [0, 0.0, {}])
            entry[0] += calls
            entry[1] += seconds or 0.0
            entry[2][str(bucket)] = entry[2].get(str(bucket), 0) + calls
        for (operation, outcome, answer, company), (calls, seconds, buckets) in merged.items():
            self.env.cr.execute(SQL(
                "INSERT INTO l10n_cr_einvoice_hacienda_call_total AS t"
                " (operation, outcome, answer, company_ref, calls, seconds, buckets)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb)"
                " ON CONFLICT (operation, outcome, answer, company_ref) DO UPDATE SET"
                " calls = t.calls + EXCLUDED.calls, seconds = t.seconds + EXCLUDED.seconds,"
                " buckets = (SELECT jsonb_object_agg(k, COALESCE((t.buckets->>k)::int, 0)"
                "                                      + COALESCE((EXCLUDED.buckets->>k)::int, 0))"
                "            FROM (SELECT jsonb_object_keys(t.buckets)"
                "                  UNION SELECT jsonb_object_keys(EXCLUDED.buckets)) AS keys(k))",
                operation, outcome, answer, company, calls, seconds, json.dumps(buckets)))
        self.invalidate_model()


class _Recorded:
    """Times one method of the client and records the call with its outcome."""

    def __init__(self, owner, operation, method, answer_of):
        self._owner = owner
        self._operation = operation
        self._method = method
        self._answer_of = answer_of

    def __call__(self, *args, **kwargs):
        started = time.monotonic()
        outcome, answer = 'ok', ''
        try:
            result = self._method(*args, **kwargs)
            answer = self._answer_of(result)
            return result
        except Exception as exc:
            outcome = kind_of(exc)
            raise
        finally:
            self._owner._record(self._operation, outcome, answer, time.monotonic() - started)


class RecordingTokens:
    def __init__(self, tokens, owner):
        self._tokens = tokens
        self.access_token = _Recorded(owner, 'token', tokens.access_token, lambda _token: '')

    def __getattr__(self, name):
        return getattr(self._tokens, name)


class RecordingClient:
    """A HaciendaClient whose submissions, status queries and token requests are recorded.

    Thin and per use: the client itself stays cached per process by the main module."""

    def __init__(self, client, env, company_id):
        self._client = client
        self._env = env
        self._company_id = company_id
        self.submit = _Recorded(self, 'submit', client.submit, lambda outcome: getattr(outcome, 'result', '') or '')
        self.status = _Recorded(self, 'status', client.status, lambda status: getattr(status, 'state', '') or '')
        self.tokens = RecordingTokens(client.tokens, self)

    def _record(self, operation, outcome, answer, seconds):
        self._env['l10n_cr.einvoice.hacienda.call']._l10n_cr_record(
            self._env, operation, outcome, answer, self._company_id, seconds)

    def __getattr__(self, name):
        return getattr(self._client, name)
