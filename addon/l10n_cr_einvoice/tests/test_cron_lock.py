"""The queue with real, separate database cursors (as two cron workers have), committed data
and the per-document commits of production (see real_cursors.py)."""

import threading
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from hacienda_cr.api import HaciendaClient

from ..models.l10n_cr_einvoice_document import HELD_RECHECK
from .common import configure_company
from .real_cursors import RealCursorsCase


class Crash(BaseException):
    """The worker dies (a kill, an out-of-memory): nothing after this point is committed."""


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestCronLock(RealCursorsCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_queue_simulator()
        with cls.environment() as env:
            cls.company_id = cls._setup_company(env).id

    @classmethod
    def _setup_company(cls, env):
        company = configure_company(env, 'Empresa Cursores S.A.', 'facturacion@cursores.cr', 'Calle 5, local 2')
        env = company.env
        cls.partner_id = env['res.partner'].create({
            'name': 'Cliente Cursores Ltda.', 'vat': '3102000111', 'email': 'cliente@cursores.cr',
            'country_id': env.ref('base.cr').id}).id
        cabys = env['l10n_cr.cabys'].search([('code', '=', '8314100000000')]) or env['l10n_cr.cabys'].create(
            {'code': '8314100000000', 'name': 'Servicios de software'})
        cls.product_id = env['product.product'].create({
            'name': 'Soporte', 'type': 'service', 'l10n_cr_cabys_id': cabys.id,
            'taxes_id': [Command.set(company.account_sale_tax_id.ids)]}).id
        return company

    def post_invoices(self, count):
        with self.environment() as env:
            moves = env['account.move'].create([{
                'move_type': 'out_invoice',
                'partner_id': self.partner_id,
                'invoice_date': fields.Date.today(),
                'invoice_line_ids': [Command.create({'product_id': self.product_id, 'price_unit': 1000 + i})],
            } for i in range(count)])
            moves.action_post()
            return moves.l10n_cr_document_id.ids

    def documents(self, env, ids):
        return env['l10n_cr.einvoice.document'].browse(ids)

    def states(self, ids):
        with self.environment() as env:
            return {doc.id: (doc.state, doc.submission_started) for doc in self.documents(env, ids)}

    def finish(self, ids):
        for _round in range(5):
            with self.environment() as env:
                docs = self.documents(env, ids)
                if all(d.state == 'accepted' for d in docs):
                    return
                docs.filtered(lambda d: d.state in ('to_send', 'sent')).sudo().write({'next_try': False})
            with self.environment() as env:
                env['l10n_cr.einvoice.document']._l10n_cr_process_queue(time_budget=60)
        self.fail(f"documents not accepted: {self.states(ids)}")

    def wake_ups_after(self, trigger_id):
        """(id, call_at) of the queue cron's wake-ups created after trigger ``trigger_id``."""
        with self.environment() as env:
            cron = env.ref('l10n_cr_einvoice.ir_cron_l10n_cr_einvoice_queue')
            env.cr.execute("SELECT id, call_at FROM ir_cron_trigger WHERE cron_id = %s AND id > %s ORDER BY id",
                           [cron.id, trigger_id])
            return env.cr.fetchall()

    def last_trigger_id(self):
        with self.environment() as env:
            env.cr.execute("SELECT coalesce(max(id), 0) FROM ir_cron_trigger")
            return env.cr.fetchone()[0]

    def test_concurrent_cron_skips_locked_documents(self):
        locked_id, *other_ids = self.post_invoices(3)
        with self.environment() as env0:
            # Worker 0 holds the first document (as a cron busy submitting it would).
            env0.cr.execute("SELECT id FROM l10n_cr_einvoice_document WHERE id = %s FOR UPDATE", [locked_id])
            last_trigger, started = self.last_trigger_id(), fields.Datetime.now()
            with self.assertNoLogs('odoo.sql_db', level='ERROR'), self.environment() as env1:
                stats = env1['l10n_cr.einvoice.document']._l10n_cr_process_queue(time_budget=60)
            ended = fields.Datetime.now()
            self.assertGreaterEqual(stats['skipped'], 1)
            self.assertGreaterEqual(stats['processed'], 2)
            # The held document is due: the run looks again shortly — not at once, which would
            # notify the cron workers into running the queue again and again while it is held.
            recheck = timedelta(seconds=HELD_RECHECK)
            self.assertEqual([at for _id, at in self.wake_ups_after(last_trigger)], [stats['next_run']])
            self.assertGreaterEqual(stats['next_run'], started + recheck)
            self.assertLessEqual(stats['next_run'], ended + recheck)
            env0.cr.rollback()
        states = self.states([locked_id, *other_ids])
        self.assertEqual(states[locked_id], ('to_send', False), "the locked document was left alone")
        for doc_id in other_ids:
            self.assertIn(states[doc_id][0], ('sent', 'accepted'), "the others were sent meanwhile")
        self.finish([locked_id, *other_ids])

    def test_document_changed_by_another_worker_is_skipped(self):
        """Changed and committed by another worker after this transaction's snapshot: locking it
        fails to serialise (40001); the run goes on with the rest, and logs no error for it."""
        changed_id, other_id = self.post_invoices(2)
        with self.assertNoLogs('odoo.sql_db', level='ERROR'), self.environment() as env1:
            env1['l10n_cr.einvoice.document'].search([('id', 'in', [changed_id, other_id])]).mapped('state')
            with self.environment() as env0:
                env0.cr.execute("UPDATE l10n_cr_einvoice_document SET attempt_count = attempt_count WHERE id = %s",
                                [changed_id])
            stats = env1['l10n_cr.einvoice.document']._l10n_cr_process_queue(time_budget=60)
        self.assertGreaterEqual(stats['skipped'], 1)
        states = self.states([changed_id, other_id])
        self.assertEqual(states[changed_id], ('to_send', False))
        self.assertIn(states[other_id][0], ('sent', 'accepted'))
        self.finish([changed_id, other_id])

    def test_crash_between_submit_and_commit_never_sends_twice(self):
        [doc_id] = self.post_invoices(1)
        before = self.simulator.stats()['stored']
        real_submit = HaciendaClient.submit

        def submit_then_crash(client, *args, **kwargs):
            real_submit(client, *args, **kwargs)  # Hacienda has it now...
            raise Crash  # ...and the worker dies before recording that

        with patch.object(HaciendaClient, 'submit', submit_then_crash), self.assertRaises(Crash):
            with self.environment() as env:
                env['l10n_cr.einvoice.document']._l10n_cr_process_queue(time_budget=60)
        self.assertEqual(self.states([doc_id])[doc_id], ('to_send', True),
                         "the start of the submission was committed before the POST; its outcome was lost")
        self.assertEqual(self.simulator.stats()['stored']['documents'], before['documents'] + 1)

        # The next run asks Hacienda before sending, finds the document and follows it.
        self.finish([doc_id])
        after = self.simulator.stats()['stored']
        self.assertEqual(after['documents'], before['documents'] + 1, "received once")
        self.assertEqual(after['duplicate_posts'], before['duplicate_posts'], "never posted again")
        with self.environment() as env:
            messages = ' '.join(self.documents(env, [doc_id]).message_ids.mapped('body'))
        self.assertIn('already had this document', messages)

    # -- the e-mail after acceptance, in transactions of its own ------------------------------

    def comments(self, env, move_id):
        """The e-mails sent from the invoice (comments on it)."""
        return env['mail.message'].search_count(
            [('model', '=', 'account.move'), ('res_id', '=', move_id), ('message_type', '=', 'comment')])

    def accepted_with_email_due(self, count=1):
        """Documents accepted by Hacienda whose e-mail the queue has not attempted yet."""
        ids = self.post_invoices(count)
        Document = self.registry['l10n_cr.einvoice.document']
        with patch.object(Document, '_l10n_cr_email_step', lambda doc, commit: None), \
                patch.object(Document, '_l10n_cr_prepare_emails', lambda docs: docs.browse()):
            self.finish(ids)
        with self.environment() as env:
            docs = self.documents(env, ids)
            self.assertTrue(all(docs.mapped('email_next_try')))
            return ids, docs.move_id.ids

    def email_due_now(self, ids):
        with self.environment() as env:
            self.documents(env, ids).sudo().email_next_try = fields.Datetime.now() - timedelta(seconds=1)

    @mute_logger('odoo.sql_db')
    def test_email_failing_on_a_concurrent_change_is_retried_and_sent_once(self):
        """As in the fault test: while the queue e-mails an accepted invoice, another transaction
        (a posting for the same customer) changes the customer and commits; the e-mail's
        transaction, older, fails to serialise. Nothing of the attempt stays, the acceptance
        stands, the failure is on the document, and the next attempt sends it — once."""
        [doc_id], [move_id] = self.accepted_with_email_due()
        Document = self.registry['l10n_cr.einvoice.document']
        real_send = Document._l10n_cr_send_email
        changed = []

        def customer_changed_meanwhile(doc):
            if not changed:
                with self.environment() as posting:
                    partner = posting['res.partner'].browse(self.partner_id)
                    partner.write({'customer_rank': partner.customer_rank + 1, 'comment': 'rank'})
                changed.append(True)
            return real_send(doc)

        with patch.object(Document, '_l10n_cr_send_email', customer_changed_meanwhile):
            with self.environment() as env:
                env['l10n_cr.einvoice.document']._l10n_cr_process_queue(time_budget=60)
        with self.environment() as env:
            doc = self.documents(env, [doc_id])
            self.assertEqual((doc.state, doc.email_sent, doc.email_failures), ('accepted', False, 1))
            self.assertIn('could not serialize', doc.email_error)
            self.assertGreater(doc.email_next_try, fields.Datetime.now())
            self.assertEqual(self.comments(env, move_id), 0, "nothing of the failed attempt stays")
        self.email_due_now([doc_id])
        with self.environment() as env:
            env['l10n_cr.einvoice.document']._l10n_cr_process_queue(time_budget=60)
        with self.environment() as env:
            doc = self.documents(env, [doc_id])
            self.assertEqual((doc.email_sent, doc.email_next_try, doc.email_error), (True, False, False))
            self.assertEqual(self.comments(env, move_id), 1)

    def test_email_failing_after_the_mail_was_made_leaves_none(self):
        """The attempt fails after the e-mail was made (a crash of the worker would be alike):
        the transaction is rolled back with the e-mail it made and the sending it had planned for
        after the commit; the next attempt makes the only one."""
        [doc_id], [move_id] = self.accepted_with_email_due()
        Document = self.registry['l10n_cr.einvoice.document']
        real_send = Document._l10n_cr_send_email
        failed = []

        def send_then_fail(doc):
            real_send(doc)
            if not failed:
                failed.append(True)
                raise ValueError("the worker's disk is full")

        with patch.object(Document, '_l10n_cr_send_email', send_then_fail):
            with self.environment() as env:
                env['l10n_cr.einvoice.document']._l10n_cr_process_queue(time_budget=60)
                self.assertFalse(env.cr.postcommit._funcs, "no sending planned for the e-mail rolled back")
            with self.environment() as env:
                self.assertEqual(self.comments(env, move_id), 0)
                self.assertEqual(self.documents(env, [doc_id]).email_failures, 1)
            self.email_due_now([doc_id])
            with self.environment() as env:
                env['l10n_cr.einvoice.document']._l10n_cr_process_queue(time_budget=60)
        with self.environment() as env:
            self.assertTrue(self.documents(env, [doc_id]).email_sent)
            self.assertEqual(self.comments(env, move_id), 1)

    def rendering_pdfs(self, side_by_side=0, fail_first=False):
        """Patch: the invoices whose PDFs Odoo makes (one list per rendering: one wkhtmltopdf run in
        production). ``side_by_side``: each rendering waits until that many are under way at
        once, as their waits overlap only then (a rendering never joined by the others fails:
        one after another, the queue waits for each in turn); ``fail_first``: the first
        rendering of each invoice fails."""
        Send = self.registry['account.move.send']
        real_prepare = Send._prepare_invoice_pdf_report
        rendered = []
        together = threading.Barrier(side_by_side, timeout=10) if side_by_side else None

        def prepare(send, invoices_data):
            ids = sorted(invoice.id for invoice in invoices_data)
            first = ids not in rendered
            rendered.append(ids)
            if fail_first and first:
                raise ValueError("wkhtmltopdf failed")
            if together and first:
                together.wait()
            return real_prepare(send, invoices_data)

        return patch.object(Send, '_prepare_invoice_pdf_report', prepare), rendered

    def assert_emailed_once(self, ids):
        with self.environment() as env:
            docs = self.documents(env, ids)
            self.assertEqual(set(docs.mapped('email_sent')), {True})
            self.assertFalse(any(docs.mapped('email_next_try')))
            self.assertFalse(any(docs.mapped('email_failures')))
            for move in docs.move_id:
                self.assertEqual(self.comments(env, move.id), 1)
                self.assertTrue(move.invoice_pdf_report_id)

    def test_pdfs_of_the_invoices_accepted_together_are_made_side_by_side(self):
        """The drain rate (issue 17): the queue made each invoice's PDF right after its acceptance,
        and a PDF is mostly wkhtmltopdf waiting (Odoo's report.print_delay, 1 s): a cron worker
        drained about one document a second, waiting. The e-mails of the documents accepted in a
        pass go in the next, their PDFs made side by side first; each e-mailed once."""
        ids = self.post_invoices(3)
        patcher, rendered = self.rendering_pdfs(side_by_side=3)
        with patcher:
            self.finish(ids)
        with self.environment() as env:
            self.assertCountEqual(rendered, [[move_id] for move_id in self.documents(env, ids).move_id.ids])
        self.assert_emailed_once(ids)

    def test_pdfs_of_due_emails_are_made_side_by_side(self):
        ids, move_ids = self.accepted_with_email_due(3)
        patcher, rendered = self.rendering_pdfs(side_by_side=3)
        with patcher, self.environment() as env:
            env['l10n_cr.einvoice.document']._l10n_cr_process_queue(time_budget=60)
        self.assertCountEqual(rendered, [[move_id] for move_id in move_ids])
        self.assert_emailed_once(ids)

    def test_pdf_not_made_beside_the_others_is_made_by_its_email(self):
        """Making the PDFs side by side is only quicker: a PDF that fails there leaves nothing, and
        its e-mail makes it (and would record its own failure)."""
        ids, move_ids = self.accepted_with_email_due(2)
        patcher, rendered = self.rendering_pdfs(fail_first=True)
        with patcher, self.environment() as env:
            env['l10n_cr.einvoice.document']._l10n_cr_process_queue(time_budget=60)
        self.assertCountEqual(rendered, [[move_id] for move_id in move_ids] * 2)
        self.assert_emailed_once(ids)

    # -- a user acting on a document the queue is busy with (issue: "Oops!" after Confirm) ------

    def test_send_now_while_the_queue_holds_the_document(self):
        [doc_id] = self.post_invoices(1)
        with self.environment() as queue:
            queue.cr.execute("SELECT id FROM l10n_cr_einvoice_document WHERE id = %s FOR UPDATE", [doc_id])
            with self.assertNoLogs('odoo.sql_db', level='ERROR'), self.environment() as user:
                move = self.documents(user, [doc_id]).move_id
                result = move.action_l10n_cr_send_now()
            self.assertEqual(result['tag'], 'display_notification')
            self.assertIn('the queue is sending or following it at this moment', result['params']['message'])
            queue.cr.rollback()
        self.assertEqual(self.states([doc_id])[doc_id], ('to_send', False), "left to the queue")
        self.finish([doc_id])

    def test_send_now_after_the_queue_moved_on_meanwhile(self):
        """The user's request began before the queue sent and accepted the document (the form
        still offered the button): the request is told so; no error, no second POST."""
        [doc_id] = self.post_invoices(1)
        before = self.simulator.stats()['stored']
        with self.assertNoLogs('odoo.sql_db', level='ERROR'), self.environment() as user:
            document = self.documents(user, [doc_id])
            self.assertEqual(document.state, 'to_send')  # what the user's request sees
            with self.environment() as queue:
                queue['l10n_cr.einvoice.document']._l10n_cr_process_queue(time_budget=60)
            self.finish([doc_id])
            result = document.move_id.action_l10n_cr_send_now()
            self.assertEqual(result['tag'], 'display_notification')
        after = self.simulator.stats()['stored']
        self.assertEqual(after['documents'], before['documents'] + 1)
        self.assertEqual(after['duplicate_posts'], before['duplicate_posts'])
        with self.environment() as env:
            doc = self.documents(env, [doc_id])
            self.assertEqual((doc.state, doc.email_sent), ('accepted', True))
            self.assertEqual(self.comments(env, doc.move_id.id), 1)
