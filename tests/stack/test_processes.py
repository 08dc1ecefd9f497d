"""Odoo's processes under supervisord (the plain-host stack): its main process killed from outside
(SIGKILL, the out-of-memory killer) takes its workers with it, and supervisord's first start of it
succeeds — no orphaned worker keeps Odoo's ports or runs the queue on. Under NixOS systemd ends
the unit's processes (KillMode=control-group, checked in tests/nix)."""

from __future__ import annotations

import os
import signal
import time

import pytest
import requests
from einvoice_stack.processes import LogTail, alive, descendants, listeners, parent, supervisor, wait_until

pytestmark = pytest.mark.stack


def odoo_healthy(env) -> bool:
    try:
        response = requests.get(env.odoo_url + "/web/health", timeout=5)
    except requests.RequestException:
        return False
    return response.status_code == 200 and '"pass"' in response.text


def test_odoo_comes_back_at_the_first_start_after_its_main_process_is_killed(env, figures):
    """Odoo's main process SIGKILLed: its workers die with it, the next start succeeds at once."""
    control = supervisor(env.stack_home)
    if control is None:
        pytest.skip("not the plain-host stack (no supervisord): under NixOS systemd's KillMode ends the unit")
    if os.geteuid() != 0:
        pytest.skip("reading Odoo's processes' sockets needs root")
    info = control.getProcessInfo("odoo")
    assert info["statename"] == "RUNNING", info
    main = info["pid"]
    workers = descendants(main)
    assert len(workers) >= 3, f"Odoo's main process {main} has no workers: {workers}"
    ports = [env.port("odoo"), env.port("odoo_gevent")]
    for port in ports:
        assert listeners(port) & (workers | {main}), f"port {port} is not Odoo's"
    supervisord_log = LogTail(env.stack_home / "logs" / "supervisord.log")
    odoo_log = LogTail(env.stack_home / "logs" / "odoo.log")

    started = time.monotonic()
    os.kill(main, signal.SIGKILL)
    orphans = wait_until(lambda: not any(alive(w) for w in workers), timeout=10) is None
    assert not orphans, f"workers outlived their main process: {[w for w in workers if alive(w)]}"
    gone = time.monotonic() - started
    assert wait_until(lambda: odoo_healthy(env), timeout=180, interval=0.5), "Odoo did not come back"
    back = time.monotonic() - started

    new_main = control.getProcessInfo("odoo")["pid"]
    assert new_main != main
    log = supervisord_log.read()
    assert log.count("spawned: 'odoo'") == 1, f"Odoo needed more than one start:\n{log}"
    assert "exited: odoo" not in log.split("spawned: 'odoo'")[-1], log
    assert "Address already in use" not in odoo_log.read()
    for port in ports:
        # (the websocket process is started last, and binds its port a few seconds later)
        holders = wait_until(lambda port=port: listeners(port), timeout=60) or set()
        strangers = {pid for pid in holders if pid != new_main and pid not in descendants(new_main)}
        assert holders and not strangers, (
            f"port {port}: held by {strangers} (parent {[parent(p) for p in strangers]}), not the new Odoo")
    figures("Odoo's workers gone after its main process was killed", gone, "s")
    figures("Odoo answering again after its main process was killed", back, "s", "one start by supervisord")
