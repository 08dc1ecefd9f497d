"""What this addon changes in Odoo's server processes when it is loaded server-wide
(``server_wide_modules`` / ``--load`` lists ``l10n_cr_einvoice``, as both staging deployments
do): Odoo runs the ``post_load`` hook in its main process before it forks the workers, and again
in the websocket (gevent) process it starts. Loaded only as a database's module, it changes
nothing here.

* Worker processes die with the main process. A prefork worker notices that its parent is gone
  only between two requests or two cron runs (``Worker.check_limits``): when the main process is
  killed from outside (SIGKILL, the out-of-memory killer), its HTTP workers keep the listening
  socket, so the restarted server fails with "Address already in use", and the cron worker keeps
  running — and locking — the e-invoicing queue for minutes. Each process the main process forks
  asks the kernel (``prctl(PR_SET_PDEATHSIG)``) to be killed when its parent dies, and so does the
  websocket process; what they were doing is what a crash leaves, which the queue is built for.
* Cron workers look for due jobs every 1 to 1.9 s. Odoo's prefork cron worker sleeps 60 s plus
  its pid % 10 s between two looks unless a NOTIFY wakes it, and only a job due *now* notifies:
  the queue's wake-ups at a later time (a retry, a status query, an e-mail: the queue's run ends
  and schedules the next with ``ir.cron._trigger(at=...)``), a cron worker started after a crash
  and one started again after PostgreSQL restarted all waited up to 69 s — and still up to 10 s
  with a shorter base, the pid's share being whole seconds. The spread between workers (so that
  they do not all look at once) is tenths of a second here. Each look is a couple of small queries.
"""

import ctypes
import ctypes.util
import errno
import logging
import os
import select
import signal
import sys
import time

import odoo
from odoo.service import server
from odoo.tools import config

_logger = logging.getLogger(__name__)

MODULE = 'l10n_cr_einvoice'
# The prefork cron workers' wait between two looks for due jobs, before each worker's share of the
# spread (see cron_poll_interval).
CRON_POLL_INTERVAL = 1
CRON_POLL_SPREAD = 1  # seconds over which the workers' waits are spread, by pid % 10
PR_SET_PDEATHSIG = 1  # linux/prctl.h

_state = {'installed': False, 'forking_pid': None}


def post_load():
    """The manifest's post_load hook (see the module docstring)."""
    if MODULE not in config['server_wide_modules'] or _state['installed']:
        return
    _state['installed'] = True
    if not sys.platform.startswith('linux'):
        _logger.warning("Server-wide %s: worker processes cannot be tied to the main process on %s",
                        MODULE, sys.platform)
        return
    if odoo.evented:  # set by the gevent command before the server-wide modules are loaded
        # The websocket process, started by the main process: it goes with it.
        die_with_parent()
        return
    os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
    if config['workers']:
        server.WorkerCron.sleep = cron_worker_sleep
        _logger.info("Server-wide %s: workers die with the main process; cron workers look for due jobs "
                     "every %s-%s s", MODULE, cron_poll_interval(0), cron_poll_interval(9))


def cron_poll_interval(pid):
    """Seconds a cron worker of process ``pid`` waits between two looks for due jobs."""
    return CRON_POLL_INTERVAL + CRON_POLL_SPREAD * (pid % 10) / 10


def cron_worker_sleep(worker):
    """Odoo's ``WorkerCron.sleep`` (odoo/service/server.py) waiting ``cron_poll_interval``: once
    every database was processed, wait until a NOTIFY on the worker's connection, a wake-up from the
    main process or the interval's end."""
    if worker.db_queue:
        return
    try:
        select.select([worker.wakeup_fd_r, worker.dbcursor._cnx], [], [], cron_poll_interval(worker.pid))
        time.sleep(worker.pid / 100 % .1)  # as Odoo: workers woken by one NOTIFY do not query at once
        worker.dbcursor._cnx.poll()
        server.empty_pipe(worker.wakeup_fd_r)
    except OSError as exc:
        if exc.errno != errno.EINTR:
            raise


def die_with_parent(sig=signal.SIGKILL):
    """Ask the kernel to send ``sig`` to this process when its parent dies."""
    libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        _logger.warning("prctl(PR_SET_PDEATHSIG) failed: %s", os.strerror(ctypes.get_errno()))
        return False
    return True


def _before_fork():
    _state['forking_pid'] = os.getpid()


def _after_fork_in_child():
    if die_with_parent() and os.getppid() != _state['forking_pid']:
        # The parent died between the fork and the prctl: the signal will never come.
        os._exit(0)
