"""The addon loaded server-wide (server_wide.py), in throwaway processes: a process forked by a
main process that loaded it dies as soon as that main process is killed, and prefork cron workers
look for due jobs every second or two; loaded as a database's module only, nothing changes."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from odoo.tests import BaseCase, tagged

from .. import server_wide

# A main process: loads the module as Odoo's server does, reports how long an idle prefork cron
# worker of each pid % 10 waits for a NOTIFY before it looks for due jobs anyway (the wait that
# select() is given), forks a "worker", reports its pid, waits.
MAIN = """
import collections, importlib.util, json, os, sys, time
from unittest.mock import patch
from odoo.tools import config
config['server_wide_modules'] = sys.argv[2].split(',')
config['workers'] = 2
spec = importlib.util.spec_from_file_location('server_wide', sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.post_load()
from odoo.service import server

class Connection:
    notifies = []
    def fileno(self):
        return pipe_r
    def poll(self):
        pass

class Cursor:
    _cnx = Connection()

pipe_r, _pipe_w = os.pipe()
os.set_blocking(pipe_r, False)  # as the worker's wake-up pipe
waits = []
idle = type('IdleCronWorker', (), {'db_queue': collections.deque(), 'wakeup_fd_r': pipe_r, 'dbcursor': Cursor()})
with patch('select.select', lambda r, w, x, timeout: waits.append(timeout) or ([], [], [])), \\
        patch('time.sleep', lambda seconds: None):
    for pid in range(1000, 1010):
        idle.pid = pid
        server.WorkerCron.sleep(idle())
worker = os.fork()
if worker == 0:
    time.sleep(120)
    os._exit(0)
print(worker, json.dumps(waits), flush=True)
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
        """Start a main process, SIGKILL it once it has forked; (worker pid, the cron workers'
        waits for pids ending in 0 to 9)."""
        main = subprocess.Popen(
            [sys.executable, '-c', MAIN, server_wide.__file__, server_wide_modules],
            stdout=subprocess.PIPE, text=True, env={**os.environ, 'PYTHONPATH': os.pathsep.join(sys.path)})
        try:
            worker, waits = main.stdout.readline().split(' ', 1)
        finally:
            main.kill()
            main.wait()
            main.stdout.close()
        return int(worker), json.loads(waits)

    def test_worker_dies_with_the_main_process(self):
        worker, waits = self.kill_main('base,web,l10n_cr_einvoice')
        deadline = time.monotonic() + 5
        while alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(alive(worker), "an orphaned worker would keep the listening socket and the queue")
        self.assertEqual(waits, [server_wide.cron_poll_interval(pid) for pid in range(10)])

    def test_cron_workers_take_a_later_wake_up_within_two_seconds(self):
        """The queue's run ends and schedules its next run at a later time (``_trigger(at=...)``),
        which notifies no cron worker: they take it when they next look. Whatever a worker's pid,
        that is within 2 s (Odoo's own spread, pid % 10 whole seconds, made it up to 10 s late:
        with the queue's probe every 10 s, 20 s after Hacienda was back)."""
        _worker, waits = self.kill_main('base,web,l10n_cr_einvoice')
        self.assertEqual(len(waits), 10)
        self.assertLessEqual(max(waits), 2)
        self.assertGreaterEqual(min(waits), 1, "a look is a few queries: not in a loop")
        self.assertEqual(len(set(waits)), 10, "the workers' looks are spread")

    def test_nothing_changes_unless_loaded_server_wide(self):
        worker, waits = self.kill_main('base,web')
        try:
            time.sleep(0.5)
            self.assertTrue(alive(worker), "Odoo's own behaviour: the orphan lives on")
            self.assertEqual(waits, [60 + pid for pid in range(10)])
        finally:
            os.kill(worker, signal.SIGKILL)
