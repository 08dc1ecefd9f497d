"""`scripts/stack status|logs|down|cleanup`: look at and stop the running stack."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

from einvoice_stack import health
from einvoice_stack.layout import Layout
from einvoice_stack.programs import PHASES, programs
from einvoice_stack.progress import StackError, Steps, log
from einvoice_stack.render_monitoring import grafana_binary
from einvoice_stack.supervisor_ctl import Supervisor

# Exit codes of `status`: every program running and healthy / some not / the stack is down.
STATUS_OK, STATUS_DEGRADED, STATUS_DOWN = 0, 1, 3


def status(layout: Layout) -> int:
    settings = layout.load_settings()
    sup = Supervisor(layout)
    if not sup.is_running():
        print(f"The stack is down (no supervisord on {layout.supervisor_socket}).")
        return STATUS_DOWN
    info = sup.info()
    worst = STATUS_OK
    print(f"{'program':<18} {'state':<9} {'pid':>7} {'uptime':>9}  health")
    for prog in programs(settings, layout):
        entry = info.get(prog.name, {})
        state = entry.get("statename", "UNKNOWN")
        pid = entry.get("pid") or ""
        uptime = ""
        if state == "RUNNING" and entry.get("start"):
            secs = int(entry["now"] - entry["start"])
            uptime = f"{secs // 3600}:{secs // 60 % 60:02d}:{secs % 60:02d}"
        ok, seen = health.probe(prog.health, layout, settings) if state == "RUNNING" else (False, "-")
        if state != "RUNNING" or not ok:
            worst = STATUS_DEGRADED
        print(f"{prog.name:<18} {state:<9} {pid!s:>7} {uptime:>9}  {'ok' if ok else 'FAIL'}  {seen}")
    if not grafana_binary():
        print(f"{'grafana':<18} {'-':<9} {'':>7} {'':>9}  not available on this host (no grafana-server binary)")
    return worst


def logs(layout: Layout, service: str | None, lines: int, follow: bool) -> int:
    settings = layout.load_settings()
    names = [p.name for p in programs(settings, layout)]
    extra = ["supervisord", "nginx-access", "nginx-error", "odoo-install", "odoo-country", "odoo-modules",
             "odoo-upgrade", "odoo-configure"]
    if service is None:
        files = [layout.logs / f"{name}.log" for name in names if (layout.logs / f"{name}.log").is_file()]
    elif service in names or service in extra:
        files = [layout.logs / f"{service}.log"]
        if not files[0].is_file():
            raise StackError(f"no log yet for {service} ({files[0]})")
    else:
        raise StackError(f"unknown service {service!r}; known: {', '.join(names + extra)}")
    if not files:
        raise StackError(f"no logs in {layout.logs} (has the stack ever run?)")
    argv = ["tail", "-n", str(lines)] + (["-F"] if follow else []) + [str(f) for f in files]
    try:
        return subprocess.run(argv, check=False).returncode
    except KeyboardInterrupt:
        return 0


def down(layout: Layout) -> int:
    steps = Steps()
    sup = Supervisor(layout)
    if not sup.is_running():
        print("The stack is already down.")
        return 0
    settings = layout.load_settings()
    progs = programs(settings, layout)
    info = sup.info()
    for phase in reversed(PHASES):
        names = [p.name for p in progs if p.phase == phase
                 and info.get(p.name, {}).get("statename") in ("RUNNING", "STARTING", "BACKOFF")]
        if not names:
            continue
        with steps.step(f"stop {', '.join(names)}") as out:
            for name in names:
                sup.stop(name)
            out.did()
    with steps.step("stop supervisord") as out:
        sup.shutdown()
        out.did()
    print(f"Stack stopped in {steps.elapsed:.1f} s; data kept in {layout.home}.")
    return 0


def restart(layout: Layout, service: str) -> int:
    settings = layout.load_settings()
    progs = {p.name: p for p in programs(settings, layout)}
    if service not in progs:
        raise StackError(f"unknown service {service!r}; known: {', '.join(progs)}")
    sup = ensure_running(layout, [])
    steps = Steps()
    with steps.step(f"restart {service}") as out:
        sup.restart(service)
        ready = health.wait_healthy([progs[service]], layout, settings, sup, 180)
        out.did(f"healthy after {ready[service]:.1f} s")
    return 0


RUNTIME_LEFTOVERS = ("run", "etc", "nginx")


def cleanup(layout: Layout, remove_data: bool, assume_yes: bool) -> int:
    if not layout.home.exists():
        print(f"Nothing to clean: {layout.home} does not exist.")
        return 0
    if remove_data and not assume_yes:
        if not sys.stdin.isatty():
            raise StackError("cleanup --remove-data deletes the database, filestore, secrets and backups: "
                             "confirm with --yes when not running interactively")
        answer = input(f"Delete {layout.home} with the database, filestore, secrets and backups? "
                       "Type 'yes' to confirm: ")
        if answer.strip().lower() != "yes":
            print("Cancelled; nothing removed.")
            return 1
    down(layout)
    if remove_data:
        t0 = time.monotonic()
        shutil.rmtree(layout.home)
        log(f"removed {layout.home} in {time.monotonic() - t0:.1f} s")
        print(f"Removed every piece of stack state ({layout.home}).")
    else:
        for name in RUNTIME_LEFTOVERS:
            path = layout.home / name
            if path.is_dir():
                shutil.rmtree(path)
        print(f"Stopped the stack and removed rendered configs, sockets and caches; data kept in {layout.home} "
              "(--remove-data deletes it).")
    return 0


def ensure_running(layout: Layout, names: list[str]) -> Supervisor:
    sup = Supervisor(layout)
    if not sup.is_running():
        raise StackError("the stack is down: run scripts/stack up first")
    info = sup.info()
    missing = [n for n in names if info.get(n, {}).get("statename") != "RUNNING"]
    if missing:
        raise StackError(f"{', '.join(missing)} not running: run scripts/stack up first")
    return sup
