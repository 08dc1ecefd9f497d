from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.l10n_cr_einvoice_hacienda_call import BUCKETS
from .common import AnalyticsCommon
from .prometheus_text import samples

CALL_FAMILIES = ('l10n_cr_einvoice_hacienda_calls_', 'l10n_cr_einvoice_hacienda_call_duration_seconds_')


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestHaciendaCalls(AnalyticsCommon):
    """Each call to the simulator counted with its outcome, in the table every worker shares."""

    def setUp(self):
        super().setUp()
        self.env.cr.execute("DELETE FROM l10n_cr_einvoice_hacienda_call; DELETE FROM l10n_cr_einvoice_hacienda_call_total")
        self.Metrics = self.env['l10n_cr.einvoice.metrics']

    def calls(self):
        return {(op, outcome, answer): n for op, outcome, answer, n in self.env.execute_query(SQL(
            "SELECT operation, outcome, answer, count(*) FROM l10n_cr_einvoice_hacienda_call"
            " WHERE company_ref = %s GROUP BY 1, 2, 3", self.company.id))}

    def scraped(self):
        """The Hacienda call families of a scrape, and nothing else: the other families (cron
        wake-ups, mail queue, documents' ages) move with code this test does not control, so a
        comparison of two scrapes must not include them."""
        families = self.Metrics._l10n_cr_metric_families()
        return {key: value for key, value in samples(families).items()
                if key[0].startswith(CALL_FAMILIES)}

    def test_submission_and_status_are_counted(self):
        self.issue(self.partner_cr, [(self.product_laptop, 1, 450000)])
        calls = self.calls()
        self.assertEqual(calls.get(('submit', 'ok', 'received')), 1)
        self.assertEqual(calls.get(('status', 'ok', 'aceptado')), 1, calls)
        rejected = self.issue_rejected(self.partner_cr, [(self.product_service, 1, 25000)])
        self.assertEqual(rejected.state, 'rejected')
        self.assertEqual(self.calls().get(('status', 'ok', 'rechazado')), 1)

    def refused_connection_test(self):
        # Not assertRaises: it rolls its savepoint back, and the call recorded in it with it.
        try:
            self.company.action_l10n_cr_test_connection()
        except UserError:
            return
        self.fail("the connection test should have failed")

    def test_failures_are_counted_by_kind(self):
        # (In production the call is written by its own transaction and survives the request's
        # rollback: tests/stack/test_metrics.py checks that against the running stack.)
        self.company.l10n_cr_password = 'incorrecta'
        self.refused_connection_test()
        self.assertEqual(self.calls(), {('token', 'configuration', ''): 1})
        self.company.l10n_cr_password = 'contraseña-de-pruebas'
        self.simulator.faults(next=[{'kind': 'token_outage'}] * 4)
        self.refused_connection_test()
        self.assertEqual(self.calls().get(('token', 'transient', '')), 1)
        self.simulator.request('PUT', '/_simulator/faults', {'faults': {}, 'replace': True, 'clear_next': True})
        self.company.action_l10n_cr_test_connection()
        self.assertEqual(self.calls().get(('token', 'ok', '')), 1)

    def test_scrape_counts_survive_folding_into_totals(self):
        self.issue(self.partner_cr, [(self.product_laptop, 1, 450000)])
        self.issue(self.partner_cr, [(self.product_service, 1, 25000)])
        before = self.scraped()
        key = ('l10n_cr_einvoice_hacienda_calls_total',
               (('answer', 'received'), ('company', self.company.name), ('company_id', str(self.company.id)),
                ('operation', 'submit'), ('outcome', 'ok')))
        self.assertEqual(before[key], 2)
        count_key = ('l10n_cr_einvoice_hacienda_call_duration_seconds_count', (('operation', 'submit'),))
        inf_key = ('l10n_cr_einvoice_hacienda_call_duration_seconds_bucket', (('le', '+Inf'), ('operation', 'submit')))
        self.assertEqual(before[count_key], 2)
        self.assertEqual(before[inf_key], 2)
        # rows older than the folding delay are moved into the totals; a scrape sees the same
        self.env.cr.execute("UPDATE l10n_cr_einvoice_hacienda_call SET called_at = called_at - interval '1 hour'")
        folded = self.env['l10n_cr.einvoice.hacienda.call']._cron_l10n_cr_compact()
        self.assertGreaterEqual(folded, 4)
        self.assertFalse(self.calls())
        # Other code moves other families meanwhile (here: a scheduled action woken up, as the
        # queue does; on a clean clone odoo_cron_due_triggers moved between the two scrapes).
        self.env.ref('l10n_cr_einvoice_analytics.ir_cron_l10n_cr_analytics_compact_calls')._trigger()
        self.assertEqual(self.scraped(), before)
        # new calls add to the totals
        self.issue(self.partner_cr, [(self.product_service, 2, 25000)])
        self.assertEqual(self.scraped()[key], 3)
        self.env.cr.execute("UPDATE l10n_cr_einvoice_hacienda_call SET called_at = called_at - interval '1 hour'")
        self.env['l10n_cr.einvoice.hacienda.call']._cron_l10n_cr_compact()
        after = self.scraped()
        self.assertEqual(after[key], 3)
        self.assertEqual(after[count_key], 3)
        buckets = [after[('l10n_cr_einvoice_hacienda_call_duration_seconds_bucket',
                          (('le', f'{b:g}' if b != float('inf') else '+Inf'), ('operation', 'submit')))]
                   for b in (*BUCKETS, float('inf'))]
        self.assertEqual(buckets, sorted(buckets), "cumulative buckets")
