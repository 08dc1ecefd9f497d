"""Numbering under concurrency, with two real database cursors (two users posting, two tills):

* the first document of a new numbering, issued by two transactions at the same moment: the
  second transaction fails with an error Odoo retries (the request runs again), never a unique
  violation it gives up on, and the failed query is not logged as an error;
* two documents of one numbering: the second transaction waits for the first and takes the next
  number (or the same one when the first rolls back) — no error, no retried request, no gap."""

import threading
import time

from odoo import SUPERUSER_ID
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tests import tagged

from .real_cursors import RealCursorsCase

ESTABLISHMENT = 999


class Rollback(Exception):
    """Ends a transaction without committing it."""


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestNumberingRace(RealCursorsCase):
    cursor_uid = SUPERUSER_ID
    cursor_context = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Combinations no other test uses, so the numberings are really new.
        cls.terminal = 90000 + int(time.time()) % 9000
        cls.addClassCleanup(cls._remove_numberings)

    @classmethod
    def _remove_numberings(cls):
        with cls.environment() as env:
            domain = [('establishment', '=', ESTABLISHMENT), ('terminal', 'in', (cls.terminal, cls.terminal + 1))]
            env['l10n_cr.einvoice.document'].search(domain).unlink()
            env['l10n_cr.einvoice.numbering'].search(domain).unlink()

    def numbering(self, env, terminal=None):
        return env['l10n_cr.einvoice.numbering']._l10n_cr_get(
            env.ref('base.main_company'), ESTABLISHMENT, terminal or self.terminal, '01')

    def bare_document(self, env, numbering):
        """A document row of that numbering (what _l10n_cr_issue inserts before numbering it)."""
        return env['l10n_cr.einvoice.document'].create({
            'company_id': numbering.company_id.id, 'document_type': numbering.document_type,
            'establishment': numbering.establishment, 'terminal': numbering.terminal})

    def wait_until_blocked(self, outcome, timeout=10):
        """Until some other transaction of this database waits for a lock (the second insert)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not outcome:
            with self.environment() as observer:
                observer.cr.execute("""SELECT count(*) FROM pg_stat_activity
                                       WHERE datname = current_database() AND wait_event_type = 'Lock'""")
                if observer.cr.fetchone()[0]:
                    return
            time.sleep(0.05)
        self.fail(f"the second transaction never waited for the first one: {outcome}")

    def in_thread(self, outcome, work):
        def run():
            try:
                with self.environment() as env_b:
                    outcome['result'] = work(env_b)
            except Exception as exc:  # what it raised is the point of the tests
                outcome['error'] = exc
        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def test_second_first_use_is_retried_and_takes_the_next_number(self):
        outcome = {}
        with self.assertNoLogs('odoo.sql_db', level='ERROR'):
            with self.environment() as env_a:
                numbering_a = self.numbering(env_a)
                first_number = numbering_a._l10n_cr_assign_number(self.bare_document(env_a, numbering_a))
                numbering_id = numbering_a.id
                thread = self.in_thread(outcome, lambda env_b: self.numbering(env_b).id)
                self.wait_until_blocked(outcome)
            # The first transaction has committed: the second one learns it conflicted.
            thread.join(30)
        self.assertFalse(thread.is_alive())
        self.assertNotIn('result', outcome, "the second transaction cannot see a numbering committed after it began")
        self.assertIsInstance(outcome.get('error'), PG_CONCURRENCY_EXCEPTIONS_TO_RETRY,
                              f"a retried error, not {outcome.get('error')!r}")

        # Odoo runs the request again: it finds the numbering and takes the next number.
        with self.environment() as env_b:
            numbering_b = self.numbering(env_b)
            self.assertEqual(numbering_b.id, numbering_id)
            self.assertEqual(numbering_b._l10n_cr_assign_number(self.bare_document(env_b, numbering_b)),
                             first_number + 1)
        with self.environment() as env:
            self.assertEqual(env['l10n_cr.einvoice.numbering'].search_count(
                [('establishment', '=', ESTABLISHMENT), ('terminal', '=', self.terminal)]), 1)

    def concurrent_numbers(self, first_commits):
        """Transaction A numbers a document and holds it; B numbers another meanwhile; A ends."""
        with self.environment() as env:
            numbering = self.numbering(env, self.terminal + 1)
            numbering_id, before = numbering.id, numbering.number_next
        outcome = {}

        def second(env_b):
            doc = self.bare_document(env_b, env_b['l10n_cr.einvoice.numbering'].browse(numbering_id))
            number = env_b['l10n_cr.einvoice.numbering'].browse(numbering_id)._l10n_cr_assign_number(doc)
            return number, doc.consecutivo

        with self.assertNoLogs('odoo.sql_db', level='ERROR'):
            try:
                with self.environment() as env_a:
                    numbering_a = env_a['l10n_cr.einvoice.numbering'].browse(numbering_id)
                    number_a = numbering_a._l10n_cr_assign_number(self.bare_document(env_a, numbering_a))
                    # B's snapshot is taken before A ends: it cannot see A's number.
                    thread = self.in_thread(outcome, second)
                    self.wait_until_blocked(outcome)
                    if not first_commits:
                        raise Rollback
            except Rollback:
                pass
            thread.join(30)
        self.assertFalse(thread.is_alive())
        self.assertNotIn('error', outcome, "the second transaction is not failed (no request run again)")
        return before, number_a, outcome['result']

    def test_second_transaction_waits_and_takes_the_next_number(self):
        before, number_a, (number_b, consecutivo_b) = self.concurrent_numbers(first_commits=True)
        self.assertEqual(number_a, before)
        self.assertEqual(number_b, before + 1)
        self.assertEqual(consecutivo_b, f"999{self.terminal + 1:05d}01{before + 1:010d}")

    def test_number_of_a_rolled_back_transaction_is_taken_again(self):
        before, number_a, (number_b, _consecutivo) = self.concurrent_numbers(first_commits=False)
        self.assertEqual(number_a, before)
        self.assertEqual(number_b, before, "no gap: the number A gave back is B's")
