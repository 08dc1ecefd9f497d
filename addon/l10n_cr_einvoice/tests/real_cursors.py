"""The base of the tests that need real, separate database cursors — what two cron workers, two
users posting or two tills have — and committed data (the queue's locks, the numbering under
concurrency, POS sessions selling at once).

Like OCA's l10n_es_verifactu_oca cron-lock test, a ``BaseCase``, not a ``TransactionCase``:
nothing runs inside a test transaction, so the data is really committed, and each class leaves
what it queued in a final state so that no other test class's queue finds it.
"""

from contextlib import contextmanager
from unittest.mock import patch

from odoo import api
from odoo.modules.registry import Registry
from odoo.orm.environments import Transaction
from odoo.tests import BaseCase, get_db_name
from odoo.tools import config

from ..hacienda import client_cache
from .common import SimulatorRequests, start_simulator, xsd_dir

ADMIN_ID = 2


class RealCursorsCase(SimulatorRequests, BaseCase):
    """``environment()`` opens a new cursor, committed on exit; ``company_id``, once set, is the
    company its environments work in."""

    cursor_uid = ADMIN_ID
    # The queue commits per document only when told it may (tests run it in-process).
    cursor_context = {'l10n_cr_einvoice_allow_commit': True}
    company_id = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    @classmethod
    @contextmanager
    def environment(cls):
        """A new real cursor (its own connection and transaction), committed on exit."""
        with cls.registry.cursor() as cr:
            # Given its transaction here, the environment does not look the registry up: the
            # test runner holds the lookup's lock, and the other cursor's work runs in a thread.
            cr.transaction = Transaction(cls.registry)
            context = dict(cls.cursor_context)
            if cls.company_id:
                context['allowed_company_ids'] = [cls.company_id]
            yield api.Environment(cr, cls.cursor_uid, context)

    @classmethod
    def start_queue_simulator(cls):
        """This class's own simulator, for every company configured for it."""
        cls.simulator = start_simulator(cls)
        cls.startClassPatcher(patch.dict(config.options, {
            'l10n_cr_einvoice_schema_dir': str(xsd_dir()),
            'l10n_cr_einvoice_simulator_url': cls.simulator.url,
        }))
        cls.addClassCleanup(cls.park_leftovers)

    @classmethod
    def park_leftovers(cls):
        """Send what this class queued while its simulator still runs; whatever a failed test
        left unfinished must not reach another test class's queue: it ends in error."""
        if not cls.company_id:
            return
        with cls.environment() as env:
            env['l10n_cr.einvoice.document']._l10n_cr_process_queue(time_budget=60)
        with cls.registry.cursor() as cr:
            cr.execute("""UPDATE l10n_cr_einvoice_document SET state = 'error', error_kind = 'internal'
                          WHERE company_id = %s AND state IN ('to_send', 'sent')""", [cls.company_id])
        client_cache.forget(get_db_name())
