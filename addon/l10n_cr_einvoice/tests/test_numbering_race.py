"""The first document of a new numbering, issued by two transactions at the same moment (two
tills, two users posting), with two real database cursors: the second transaction must fail with
an error Odoo retries (the request runs again), never a unique violation it gives up on."""

import threading
import time
from contextlib import contextmanager

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.orm.environments import Transaction
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

ESTABLISHMENT = 999


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestNumberingRace(BaseCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        # A combination no other test uses, so the numbering is really new.
        cls.terminal = 90000 + int(time.time()) % 9999
        cls.addClassCleanup(cls._remove_numbering)

    @classmethod
    @contextmanager
    def environment(cls):
        """A new real cursor (its own connection and transaction), committed on exit."""
        with cls.registry.cursor() as cr:
            # Given its transaction here, the environment does not look the registry up: the
            # test runner holds the lookup's lock, and the second transaction runs in a thread.
            cr.transaction = Transaction(cls.registry)
            yield api.Environment(cr, SUPERUSER_ID, {})

    @classmethod
    def _remove_numbering(cls):
        with cls.environment() as env:
            numbering = env['l10n_cr.einvoice.numbering'].search(
                [('establishment', '=', ESTABLISHMENT), ('terminal', '=', cls.terminal)])
            sequences = numbering.sequence_id
            numbering.unlink()
            sequences.unlink()

    def numbering(self, env):
        return env['l10n_cr.einvoice.numbering']._l10n_cr_get(
            env.ref('base.main_company'), ESTABLISHMENT, self.terminal, '01')

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

    @mute_logger('odoo.sql_db')
    def test_second_first_use_is_retried_and_takes_the_next_number(self):
        outcome = {}

        def second_transaction():
            try:
                with self.environment() as env_b:
                    outcome['numbering'] = self.numbering(env_b).id
            except Exception as exc:  # what it raised is the point of the test
                outcome['error'] = exc

        with self.environment() as env_a:
            numbering_a = self.numbering(env_a)
            first_number = numbering_a._l10n_cr_reserve()
            numbering_id = numbering_a.id
            thread = threading.Thread(target=second_transaction)
            thread.start()
            self.wait_until_blocked(outcome)
        # The first transaction has committed: the second one learns it conflicted.
        thread.join(30)
        self.assertFalse(thread.is_alive())
        self.assertNotIn('numbering', outcome, "the second transaction cannot see a numbering committed after it began")
        self.assertIsInstance(outcome.get('error'), PG_CONCURRENCY_EXCEPTIONS_TO_RETRY,
                              f"a retried error, not {outcome.get('error')!r}")

        # Odoo runs the request again: it finds the numbering and takes the next number.
        with self.environment() as env_b:
            numbering_b = self.numbering(env_b)
            self.assertEqual(numbering_b.id, numbering_id)
            self.assertEqual(numbering_b._l10n_cr_reserve(), first_number + 1)
        with self.environment() as env:
            self.assertEqual(env['l10n_cr.einvoice.numbering'].search_count(
                [('establishment', '=', ESTABLISHMENT), ('terminal', '=', self.terminal)]), 1)
