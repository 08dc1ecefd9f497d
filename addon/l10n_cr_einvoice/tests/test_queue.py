import base64
import time
from dataclasses import replace
from datetime import timedelta
from unittest.mock import Mock, patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import config, mute_logger

from hacienda_cr.api.config import PRESETS
from hacienda_cr.signing import make_test_certificate

from ..hacienda import client_cache
from ..models import l10n_cr_einvoice_document
from ..models.l10n_cr_einvoice_document import PROBE_INTERVAL, STATE_CHANGES
from .common import API_PASSWORD, PIN, WRONG_PASSWORD, L10nCrEinvoiceCommon, company_certificate
from .replay import Replay


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestQueue(L10nCrEinvoiceCommon):
    """The sending queue against the simulator's faults (real HTTP), and recorded answers for
    what the simulator never does. The API client retries once within a call; what still
    fails is the queue's to handle: back off, retry, never send twice."""

    def setUp(self):
        super().setUp()
        # A fresh client per test: token faults need a login to hit.
        client_cache.forget(self.env.cr.dbname)
        self.simulator.request('PUT', '/_simulator/faults', {'faults': {}, 'replace': True, 'clear_next': True})
        self.cron = self.env.ref('l10n_cr_einvoice.ir_cron_l10n_cr_einvoice_queue')

    def post_invoice(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        return move.l10n_cr_document_id

    def run_queue_once(self):
        return self.Document._l10n_cr_process_queue(time_budget=60)

    def time_passes(self, document):
        document.sudo().next_try = fields.Datetime.now() - timedelta(seconds=1)

    def posts(self):
        """How many POSTs of documents the simulator has answered so far."""
        return sum(v for k, v in self.simulator.stats()['requests'].items() if k.startswith('POST submit'))

    def assert_backed_off(self, document, at_least=PROBE_INTERVAL, at_most=None):
        self.assertEqual(document.state, 'to_send')
        self.assertEqual(document.error_kind, 'connection')
        self.assertIn('will be sent again automatically', document.error_message)
        wait = (document.next_try - fields.Datetime.now()).total_seconds()
        self.assertGreaterEqual(wait, at_least - 2)
        self.assertLessEqual(wait, (at_most or at_least) + 2)
        trigger = self.env['ir.cron.trigger'].search([('cron_id', '=', self.cron.id)], order='id desc', limit=1)
        self.assertLessEqual(trigger.call_at, document.next_try, "the cron is woken by the time the retry is due")

    def assert_accepted_once(self, document, documents_before):
        self.assertEqual(document.state, 'accepted', document.error_message)
        stats = self.simulator.stats()
        self.assertEqual(stats['stored']['documents'], documents_before + 1)
        self.assertEqual(stats['stored']['duplicate_posts'], 0, "never sent twice")

    def transient_then_recovered(self, faults, expected_wait=PROBE_INTERVAL):
        before = self.simulator_totals()['documents']
        document = self.post_invoice()
        self.simulator.faults(next=faults)
        self.run_queue_once()
        self.assert_backed_off(document, expected_wait)
        self.time_passes(document)
        self.process_queue()
        self.assert_accepted_once(document, before)
        return document

    # -- transient faults, each through the real simulator ------------------------------

    def test_server_error_backs_off_then_sends(self):
        # Both attempts of the call get a 503: the POST may have arrived, so the next attempt asks first.
        document = self.transient_then_recovered([{'kind': 'server_error'}, {'kind': 'server_error'}])
        self.assertTrue(document.submission_started)
        self.assertEqual(document.attempt_count, 2)

    def test_rate_limit_honours_retry_after(self):
        # The client waits out a short Retry-After itself; a long one is the queue's.
        self.transient_then_recovered([{'kind': 'rate_limit', 'retry_after': 1},
                                       {'kind': 'rate_limit', 'retry_after': 90}], expected_wait=90)

    def test_connection_reset_before_recording(self):
        self.transient_then_recovered([{'kind': 'reset_before'}, {'kind': 'reset_before'}])

    def test_token_outage(self):
        before = self.simulator_totals()['documents']
        document = self.post_invoice()
        self.simulator.faults(next=[{'kind': 'token_outage', 'endpoint': 'token'}] * 2)
        self.run_queue_once()
        self.assert_backed_off(document)
        self.assertIn('HTTP 503', document.error_message)
        self.time_passes(document)
        self.process_queue()
        self.assert_accepted_once(document, before)

    def test_reset_after_recording_is_not_sent_twice(self):
        """The connection breaks after Hacienda stored the document: the retry asks and finds it."""
        before, posts_before = self.simulator_totals()['documents'], self.posts()
        document = self.post_invoice()
        self.simulator.faults(next=[{'kind': 'reset_after'}])
        self.process_queue()
        self.assert_accepted_once(document, before)
        self.assertEqual(self.posts() - posts_before, 1, "a single POST reached the simulator")
        self.assertIn('already had this document', ' '.join(document.message_ids.mapped('body')))

    def test_timeout_after_recording_is_not_sent_twice(self):
        """No answer within the timeout after the document was stored (the slowest test: the client
        waits out its read timeout, which Odoo's test harness sets to at least 10 s)."""
        before = self.simulator_totals()['documents']
        document = self.post_invoice()
        self.simulator.faults(next=[{'kind': 'timeout_after', 'hold': 12}])
        self.process_queue()
        # (The held POST is counted by the simulator only when its hold ends; the stored
        # documents and the duplicate counter say it all.)
        self.assert_accepted_once(document, before)
        self.assertIn('already had this document', ' '.join(document.message_ids.mapped('body')))

    def test_unauthorized_token_is_renewed(self):
        before = self.simulator_totals()['documents']
        document = self.post_invoice()
        self.simulator.faults(next=[{'kind': 'unauthorized', 'endpoint': 'submit'}])
        self.process_queue()
        self.assert_accepted_once(document, before)
        self.assertEqual(document.attempt_count, 1, "a refused token is not a failed attempt")

    def test_latency_is_tolerated(self):
        before = self.simulator_totals()['documents']
        self.simulator.faults({'latency': {'probability': 1.0, 'min': 0.05, 'max': 0.2}})
        document = self.post_invoice()
        self.process_queue()
        self.assert_accepted_once(document, before)

    def test_one_probe_while_hacienda_is_unreachable_then_all_at_once(self):
        """Hacienda unreachable: the first document to fail becomes the company's probe (tried
        again in PROBE_INTERVAL), the others back off; when the probe gets through, the others
        are due at once — the queue does not wait out their backoff once Hacienda is back."""
        before = self.simulator_totals()['documents']
        first, second = self.post_invoice(), self.post_invoice()
        self.simulator.faults({'server_error': {'probability': 1.0}})
        self.run_queue_once()
        self.assert_backed_off(first)
        self.assert_backed_off(second, at_least=30)
        self.simulator.request('PUT', '/_simulator/faults', {'faults': {}, 'replace': True})
        self.time_passes(first)
        self.run_queue_once()  # the probe gets through, and the run goes on with the one it woke
        self.assertIn(first.state, ('sent', 'accepted'))
        self.assertIn(second.state, ('sent', 'accepted'), "woken when Hacienda answered the probe")
        self.assertFalse(second.error_kind)
        self.process_queue()
        self.assertEqual((first | second).mapped('state'), ['accepted', 'accepted'])
        stats = self.simulator.stats()
        self.assertEqual(stats['stored']['documents'], before + 2)
        self.assertEqual(stats['stored']['duplicate_posts'], 0)

    def test_status_query_failure_is_a_connection_problem_with_a_probe(self):
        document = self.post_invoice()
        self.run_queue_once()
        self.assertEqual(document.state, 'sent')
        self.simulator.faults(next=[{'kind': 'server_error', 'endpoint': 'status'}] * 2)
        self.time_passes(document)
        self.run_queue_once()
        self.assertEqual(document.state, 'sent')
        self.assertEqual(document.error_kind, 'connection')
        self.assertIn('could not be asked for the status', document.error_message)
        wait = (document.next_try - fields.Datetime.now()).total_seconds()
        self.assertLessEqual(wait, PROBE_INTERVAL + 2, "the only document waiting asks again soon")
        self.time_passes(document)
        self.process_queue()
        self.assertEqual(document.state, 'accepted')
        self.assertFalse(document.error_kind)

    def test_one_failing_document_does_not_block_the_others(self):
        before = self.simulator_totals()['documents']
        first, second = self.post_invoice(), self.post_invoice()
        self.simulator.faults(next=[{'kind': 'server_error'}, {'kind': 'server_error'}])
        self.run_queue_once()
        self.assertEqual(first.state, 'to_send')
        self.assertIn(second.state, ('sent', 'accepted'))
        self.time_passes(first)
        self.process_queue()
        self.assertEqual((first | second).mapped('state'), ['accepted', 'accepted'])
        self.assertEqual(self.simulator_totals()['documents'], before + 2)

    # -- the cron's run: it never waits in the worker, it schedules its next run -----------

    def wake_ups(self, after=None):
        """The queue cron's wake-ups (ir.cron.trigger), those created after ``after`` if given."""
        triggers = self.env['ir.cron.trigger'].sudo().search([('cron_id', '=', self.cron.id)], order='id')
        return triggers.filtered(lambda t: t not in after) if after is not None else triggers

    def without_sleeping(self):
        """The queue's module with a ``time.sleep`` that fails the test: a cron worker must not wait."""
        return patch.object(l10n_cr_einvoice_document, 'time', Mock(wraps=time, sleep=Mock(
            side_effect=AssertionError("the queue's run slept in the cron worker"))))

    def assert_run_wakes_the_cron_for_the_retry(self, run):
        """``run`` meets a failed submission, due again in PROBE_INTERVAL s: it does not wait for it
        in the worker; it ends with one wake-up of the queue's (main) cron at the retry's time."""
        document = self.post_invoice()
        before = self.wake_ups()
        self.simulator.faults(next=[{'kind': 'server_error'}, {'kind': 'server_error'}])
        with self.without_sleeping():
            run()
        self.assert_backed_off(document)
        self.assertEqual(document.attempt_count, 1, "not tried again within the run")
        self.assertEqual(self.wake_ups(before).mapped('call_at'), [document.next_try])

    def test_cron_run_ends_and_wakes_the_cron_when_the_retry_is_due(self):
        """A run sleeping in the worker kept what became due meanwhile (postings) waiting behind it."""
        self.assert_run_wakes_the_cron_for_the_retry(self.Document._cron_l10n_cr_process_queue)

    def test_helper_run_wakes_the_main_job_when_the_retry_is_due(self):
        """The helper job (another cron worker) schedules the main job for what it leaves waiting:
        the wake-ups its documents ask for are not dropped while it runs."""
        self.assert_run_wakes_the_cron_for_the_retry(self.Document._cron_l10n_cr_help_queue)

    def test_status_query_due_in_a_second_is_a_wake_up_not_a_wait(self):
        document = self.post_invoice()
        before, started = self.wake_ups(), fields.Datetime.now()
        with self.without_sleeping():
            self.Document._cron_l10n_cr_process_queue()
        self.assertEqual(document.state, 'sent')
        self.assertGreater(document.next_try, started, "the status query is due later")
        self.assertEqual(self.wake_ups(before).mapped('call_at'), [document.next_try])
        self.time_passes(document)
        with self.without_sleeping():
            self.Document._cron_l10n_cr_process_queue()
        self.assertEqual(document.state, 'accepted')

    def test_nothing_waiting_no_wake_up(self):
        document = self.post_invoice()
        self.process_queue()
        self.assertEqual((document.state, document.email_next_try), ('accepted', False))
        # Nothing else waits either, whatever suites with committed data left behind.
        self.Document.sudo().search(['|', ('state', 'in', ('to_send', 'sent')), ('email_next_try', '!=', False)]).write(
            {'state': 'error', 'email_next_try': False})
        before = self.wake_ups()
        stats = self.Document._l10n_cr_process_queue()
        self.assertIsNone(stats['next_run'])
        self.assertFalse(self.wake_ups(before))

    def test_run_out_of_time_goes_on_at_once(self):
        """Out of its time budget with documents due: the cron is woken at once (a trigger due now
        notifies the cron workers), whichever worker is free takes it."""
        document = self.post_invoice()
        before = self.wake_ups()
        started = fields.Datetime.now()
        stats = self.Document._l10n_cr_process_queue(time_budget=0)
        self.assertEqual(stats['processed'], 0)
        self.assertEqual(document.state, 'to_send')
        [wake_up] = self.wake_ups(before)
        self.assertEqual(wake_up.call_at, stats['next_run'])
        self.assertLessEqual(started, wake_up.call_at)
        self.assertLessEqual(wake_up.call_at, fields.Datetime.now())

    # -- final answers -------------------------------------------------------------------

    def test_rejection_notifies_and_can_be_reissued(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        rejected = move.l10n_cr_document_id
        self.simulator.faults(next=[{'kind': 'reject'}])
        self.process_queue()
        self.assertEqual(rejected.state, 'rejected')
        self.assertEqual(move.l10n_cr_state, 'rejected')
        self.assertIn('Rechazo forzado', rejected.hacienda_message)
        self.assertIn('Hacienda rejected this document', move.l10n_cr_error)
        self.assertTrue(rejected.response_attachment_id, "the rejection's MensajeHacienda is kept")
        activity = move.activity_ids.filtered(lambda a: a.summary == 'Rejected by Hacienda')
        self.assertTrue(activity, "someone is asked to act")
        # Correct and issue again: a new document, a new consecutivo, referencing the rejected one.
        move.button_draft()
        move.invoice_line_ids.price_unit = 440000
        move.action_post()
        reissued = move.l10n_cr_document_id
        self.assertNotEqual(reissued, rejected)
        self.assertEqual(reissued.replaced_document_id, rejected)
        self.assertEqual(reissued.number, rejected.number + 1)
        reference = next(r for r in self.signed_tree(reissued).iter() if r.tag.endswith('InformacionReferencia'))
        values = {child.tag.split('}')[1]: child.text for child in reference}
        self.assertEqual(values['TipoDocIR'], '10')
        self.assertEqual(values['Numero'], rejected.clave)
        self.assertEqual(values['Codigo'], '16')
        self.process_queue()
        self.assertEqual(reissued.state, 'accepted')
        self.assertEqual(len(move.l10n_cr_document_ids), 2, "one record per submission")

    def test_accepted_invoice_cannot_go_back_to_draft(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        self.process_queue()
        with self.assertRaisesRegex(UserError, 'issue a credit or debit note'):
            move.button_draft()

    def test_configuration_refused_stops_and_resumes_after_fix(self):
        self.company.l10n_cr_password = WRONG_PASSWORD
        document = self.post_invoice()
        self.process_queue()
        self.assertEqual(document.state, 'error')
        self.assertEqual(document.error_kind, 'configuration')
        self.assertIn("Hacienda refused the company's connection settings", document.error_message)
        self.assertTrue(document.move_id.activity_ids)
        self.company.l10n_cr_password = API_PASSWORD
        result = self.company.action_l10n_cr_test_connection()
        self.assertEqual(result['params']['type'], 'success', result['params']['message'])
        self.assertEqual(document.state, 'to_send', "a successful connection test puts them back in the queue")
        self.process_queue()
        self.assertEqual(document.state, 'accepted')

    def test_send_now_from_the_invoice(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        move.action_l10n_cr_send_now()
        self.assertEqual(move.l10n_cr_state, 'accepted')

    def test_lost_document_is_submitted_again_after_asking(self):
        """Sent long ago, yet Hacienda does not know the clave: ask, then submit again."""
        before = self.simulator_totals()['documents']
        document = self.post_invoice()
        document.sudo().write({'state': 'sent', 'submission_started': True,
                               'submitted_date': fields.Datetime.now() - timedelta(hours=1)})
        self.run_queue_once()
        self.assertEqual(document.state, 'to_send')
        self.process_queue()
        self.assert_accepted_once(document, before)

    # -- the changes of state ---------------------------------------------------------------

    def test_every_change_of_the_table_happens(self):
        """Each change STATE_CHANGES allows is made by the queue or a user's action (none is
        dead), and every change made is one of them (a change outside the table raises)."""
        Document = type(self.Document)
        original = Document._l10n_cr_set_state
        made = set()

        def recording(docs, state, **vals):
            made.update((doc.state, state) for doc in docs)
            return original(docs, state, **vals)

        with patch.object(Document, '_l10n_cr_set_state', recording):
            accepted = self.post_invoice()  # to_send → sent → accepted
            self.process_queue()
            self.assertEqual(accepted.state, 'accepted')
            refused = self.post_invoice()  # to_send → rejected: refused at the POST
            with Replay(self, ('submit', 'submit-400-refused.json'), clave=refused.clave):
                self.process_queue()
            self.assertEqual(refused.state, 'rejected')
            rejected = self.post_invoice()  # sent → rejected
            self.simulator.faults(next=[{'kind': 'reject'}])
            self.process_queue()
            self.assertEqual(rejected.state, 'rejected')
            lost = self.post_invoice()  # sent → to_send: Hacienda lost it
            lost.sudo().write({'state': 'sent', 'submission_started': True,
                               'submitted_date': fields.Datetime.now() - timedelta(hours=1)})
            self.run_queue_once()
            self.assertEqual(lost.state, 'to_send')
            self.process_queue()
            self.company.l10n_cr_password = WRONG_PASSWORD  # to_send → error → to_send
            stopped = self.post_invoice()
            self.process_queue()
            self.assertEqual(stopped.state, 'error')
            self.company.l10n_cr_password = API_PASSWORD
            self.company.action_l10n_cr_test_connection()
            self.assertEqual(stopped.state, 'to_send')
            self.process_queue()
            failing = self.post_invoice()  # sent → error → sent
            with Replay(self, ('submit', 'submit-202.json'), *[('status', 'status-error.json')] * 5,
                        clave=failing.clave):
                self.process_queue()
            self.assertEqual(failing.state, 'error')
            with Replay(self, ('status', 'status-procesando.json'), clave=failing.clave):
                failing.action_l10n_cr_check_status()
            self.assertEqual(failing.state, 'sent')
        self.assertEqual(made, {(old, new) for old, news in STATE_CHANGES.items() for new in news})

    def test_a_change_outside_the_table_is_refused(self):
        document = self.post_invoice()
        self.process_queue()
        self.assertEqual(document.state, 'accepted')
        with self.assertRaisesRegex(UserError, 'cannot go from Accepted to To send'):
            document.sudo()._l10n_cr_set_state('to_send')
        with self.assertRaisesRegex(UserError, 'cannot go from Accepted to Sent'):
            document.sudo().write({'state': 'sent', 'next_try': fields.Datetime.now()})
        self.assertEqual(document.state, 'accepted')
        self.assertFalse(document.next_try, "nothing of a refused change is written")

    def test_certificate_problem_stops_the_document_until_fixed(self):
        """A document the queue must sign again (its XML was removed) with no usable certificate:
        the kind of problem is the certificate, not the document's data; a working certificate
        and connection test send it."""
        cases = [
            ({'l10n_cr_certificate_id': False}, 'No signing certificate is configured'),
            (make_test_certificate('02', '3101999999', pin=PIN), 'belongs to identification 3101999999'),
        ]
        for broken, message in cases:
            with self.subTest(message):
                document = self.post_invoice()
                document.xml_attachment_id.sudo().unlink()
                if isinstance(broken, dict):
                    self.company.sudo().write(broken)
                else:
                    self.company.l10n_cr_set_certificate(base64.b64encode(broken), PIN)
                self.run_queue_once()
                self.assertEqual(document.state, 'error')
                self.assertEqual(document.error_kind, 'certificate')
                self.assertIn(message, document.error_message)
                self.company.l10n_cr_set_certificate(base64.b64encode(company_certificate()), PIN)
                self.company.action_l10n_cr_test_connection()
                self.assertEqual(document.state, 'to_send')
                self.process_queue()
                self.assertEqual(document.state, 'accepted', document.error_message)
                self.assertTrue(document.xml_attachment_id)

    # -- recorded answers for what the simulator does not do -------------------------------

    def test_hacienda_processing_error_stops_after_repeats(self):
        document = self.post_invoice()
        script = [('submit', 'submit-202.json')] + [('status', 'status-error.json')] * 5
        with Replay(self, *script, clave=document.clave):
            self.process_queue()
        self.assertEqual(document.state, 'error')
        self.assertEqual(document.error_kind, 'hacienda')
        self.assertEqual(document.hacienda_status, 'error')
        self.assertIn('Check status', document.error_message)

    def test_final_state_without_answer_waits_for_it(self):
        document = self.post_invoice()
        script = [('submit', 'submit-202.json'), ('status', 'status-aceptado-sin-respuesta.json'),
                  ('status', 'status-procesando.json')]
        with Replay(self, *script, clave=document.clave):
            self.run_queue_once()
            self.time_passes(document)
            self.run_queue_once()
            self.assertEqual(document.state, 'sent', "accepted without its MensajeHacienda is not final yet")
            self.time_passes(document)
            self.run_queue_once()
        self.assertEqual(document.state, 'sent')
        self.assertEqual(document.hacienda_status, 'procesando')

    def test_gate_refusal_is_a_rejection(self):
        document = self.post_invoice()
        with Replay(self, ('submit', 'submit-400-refused.json'), clave=document.clave):
            self.process_queue()
        self.assertEqual(document.state, 'rejected')
        self.assertIn('El emisor del comprobante no coincide', document.error_message)

    def test_proxy_error_page_is_transient(self):
        document = self.post_invoice()
        # Hacienda's grace for a 404 after a POST (the simulator preset's is 5 s): longer than the client
        # may wait within a call, as with the real Hacienda. setUp dropped the cached client.
        slow = {'polling': replace(PRESETS['simulator']['polling'], not_found_grace=60)}
        # The 502 may hide a stored document: the client asks. A 404 right after the POST proves nothing
        # (Hacienda may show a document late): no second POST before the grace period has passed.
        with patch.dict(PRESETS['simulator'], slow), Replay(
                self, ('submit', 'proxy-502.json'), ('status', 'status-404.json'), clave=document.clave) as replay:
            self.run_queue_once()
        self.assertEqual(document.state, 'to_send')
        self.assertEqual(document.error_kind, 'connection')
        self.assertEqual([r[0] for r in replay.requests if r[0] != 'token'], ['submit', 'status'])
        self.assertTrue(document.last_attempt_date)
        # The queue comes back later and passes the time of that POST: past the grace, a 404 means absent.
        document.sudo().last_attempt_date -= timedelta(seconds=61)
        self.time_passes(document)
        with patch.dict(PRESETS['simulator'], slow), Replay(
                self, ('status', 'status-404.json'), ('submit', 'submit-202.json'), clave=document.clave) as replay:
            self.run_queue_once()
        self.assertEqual([r[0] for r in replay.requests if r[0] != 'token'], ['status', 'submit'])
        self.assertEqual(document.state, 'sent')

    def test_redis_token_cache_when_configured(self):
        """With l10n_cr_einvoice_redis_url the client shares tokens through Redis; a Redis that
        is down does not stop invoicing (the library falls back to the process's own cache)."""
        from hacienda_cr.api import RedisTokenCache

        with patch.dict(config.options, {'l10n_cr_einvoice_redis_url': 'redis://127.0.0.1:1/0',
                                         'l10n_cr_einvoice_redis_prefix': 'test-cr:'}):
            client = self.company._l10n_cr_client()
            self.assertIsInstance(client.tokens.cache, RedisTokenCache)
            self.assertEqual(client.tokens.cache.prefix, 'test-cr:')
            before = self.simulator_totals()['documents']
            document = self.post_invoice()
            with mute_logger('hacienda_cr.api.tokens'):
                self.process_queue()
            self.assert_accepted_once(document, before)
        client_cache.forget(self.env.cr.dbname)
