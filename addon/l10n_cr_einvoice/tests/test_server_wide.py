"""The addon loaded server-wide (server_wide.py), in throwaway processes: a process forked by a
main process that loaded it dies as soon as that main process is killed, and prefork cron workers
look for due jobs every few seconds; loaded as a database's module only, nothing changes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from odoo.tests import BaseCase, tagged

from .. import server_wide

# A main process: loads the module as Odoo's server does, forks a "worker", reports, waits.
MAIN = """
import importlib.util, os, sys, time
from odoo.tools import config
config['server_wide_modules'] = sys.argv[2].split(',')
config['workers'] = 2
spec = importlib.util.spec_from_file_location('server_wide', sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.post_load()
from odoo.service import server
worker = os.fork()
if worker == 0:
    time.sleep(120)
    os._exit(0)
print(worker, server.SLEEP_INTERVAL, flush=True)
time.sleep(120)
"""


def alive(pid):
    """Running (a zombie waiting for init to reap it counts as gone)."""
    try:
        stat = Path(f'/proc/{pid}/stat').read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(')')[2].split()[0] != 'Z'


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestServerWide(BaseCase):

    def kill_main(self, server_wide_modules):
        """Start a main process, SIGKILL it once it has forked; (worker pid, cron poll interval)."""
        main = subprocess.Popen(
            [sys.executable, '-c', MAIN, server_wide.__file__, server_wide_modules],
            stdout=subprocess.PIPE, text=True, env={**os.environ, 'PYTHONPATH': os.pathsep.join(sys.path)})
        try:
            worker, interval = main.stdout.readline().split()
        finally:
            main.kill()
            main.wait()
            main.stdout.close()
        return int(worker), int(interval)

    def test_worker_dies_with_the_main_process(self):
        worker, interval = self.kill_main('base,web,l10n_cr_einvoice')
        deadline = time.monotonic() + 5
        while alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(alive(worker), "an orphaned worker would keep the listening socket and the queue")
        self.assertEqual(interval, server_wide.CRON_POLL_INTERVAL)

    def test_nothing_changes_unless_loaded_server_wide(self):
        worker, interval = self.kill_main('base,web')
        try:
            time.sleep(0.5)
            self.assertTrue(alive(worker), "Odoo's own behaviour: the orphan lives on")
            self.assertEqual(interval, 60)
        finally:
            os.kill(worker, signal.SIGKILL)
