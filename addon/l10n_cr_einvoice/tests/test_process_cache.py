import threading

from odoo.tests import BaseCase, tagged

from ..hacienda.process_cache import ProcessCache


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestProcessCache(BaseCase):
    """What the Hacienda clients and signing keys are kept in: one entry per (database, company)
    while its fingerprint holds; what is dropped is closed."""

    def setUp(self):
        super().setUp()
        self.closed = []
        self.cache = ProcessCache(close=self.closed.append)

    def test_kept_while_the_fingerprint_holds(self):
        self.assertEqual(self.cache.get('db', 1, 'f1', lambda: 'client 1'), 'client 1')
        self.assertEqual(self.cache.get('db', 1, 'f1', lambda: 'unused'), 'client 1')
        self.assertEqual(self.cache.get('db', 2, 'f1', lambda: 'client 2'), 'client 2', "per company")
        self.assertEqual(self.cache.get('db', 1, 'f2', lambda: 'client 1b'), 'client 1b')
        self.assertEqual(self.closed, ['client 1'], "the replaced one is closed")
        self.cache.forget('db', 2)
        self.assertEqual(self.closed, ['client 1', 'client 2'])
        self.cache.forget('db')
        self.assertEqual(self.closed, ['client 1', 'client 2', 'client 1b'])
        self.assertEqual(ProcessCache().get('db', 1, 'f', lambda: 'key'), 'key', "nothing to close: no close")

    def test_two_threads_building_at_once_keep_one(self):
        started, release = threading.Barrier(2), threading.Event()
        results = []

        def build(name):
            def make():
                started.wait(5)  # both are building: neither found an entry
                release.wait(5)
                return name
            return make

        threads = [threading.Thread(target=lambda n=n: results.append(self.cache.get('db', 1, 'f', build(n))))
                   for n in ('first', 'second')]
        for thread in threads:
            thread.start()
        release.set()
        for thread in threads:
            thread.join(5)
        self.assertEqual(len(set(results)), 1, "both get the same one")
        self.assertEqual(len(self.closed), 1, "the other is closed")
        self.assertNotEqual(self.closed[0], results[0])
