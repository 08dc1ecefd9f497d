"""`scripts/stack up`: from nothing (or from a stopped stack) to every service healthy.

Idempotent: each step checks before it acts, and the summary says whether anything
changed. Programs whose rendered config changed are restarted; nothing else is touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from einvoice_stack import configs, health, odoo_db, pki_dir, postgres, schemas_dir, secrets_store, test_pki
from einvoice_stack.layout import Layout
from einvoice_stack.programs import PHASES, Program, programs
from einvoice_stack.progress import StackError, Steps, log
from einvoice_stack.render_monitoring import grafana_binary, scrape_jobs
from einvoice_stack.runtime_user import chown, grant_traverse
from einvoice_stack.supervisor_ctl import Supervisor

HEALTH_TIMEOUT = {"data": 60, "application": 180, "edge": 60}
EINVOICE_MODULE = "l10n_cr_einvoice"


def prepare_directories(layout: Layout) -> bool:
    created = bool(grant_traverse(layout.home.parent) + grant_traverse(layout.odoo_src))
    for path in layout.state_dirs():
        if not path.is_dir():
            path.mkdir(parents=True)
            created = True
        chown(path)
    os.chmod(layout.home, 0o750)
    os.chmod(layout.run, 0o700)
    return created


def _restart_targets(progs: list[Program], changed_files: list[str]) -> set[str]:
    return {p.name for p in progs if set(p.config_files) & set(changed_files)}


def _reload_targets(progs: list[Program], changed_files: list[str]) -> set[str]:
    return {p.name for p in progs if set(p.reload_files) & set(changed_files)}


def _start_phase(phase: str, progs: list[Program], sup: Supervisor, layout: Layout, settings: dict,
                 restart: set[str], outcome, reload: set[str] = frozenset()) -> None:
    members = [p for p in progs if p.phase == phase]
    info = sup.info()
    to_start = []
    for prog in members:
        state = info.get(prog.name, {}).get("statename")
        if state == "RUNNING" and prog.name in restart:
            sup.stop(prog.name)
            to_start.append(prog.name)
            outcome.did(f"{prog.name} restarted (config changed)")
        elif state == "RUNNING" and prog.name in reload:
            sup.signal(prog.name, "HUP")
            outcome.did(f"{prog.name} reloaded its config")
        elif state != "RUNNING":
            to_start.append(prog.name)
    if to_start:
        sup.start(to_start)
        outcome.did("started " + ", ".join(to_start))
    ready = health.wait_healthy(members, layout, settings, sup, HEALTH_TIMEOUT[phase])
    outcome.noted(", ".join(f"{name} {secs:.1f} s" for name, secs in ready.items()) if to_start else "all healthy")


def run_seed(layout: Layout, settings: dict, summary_file) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(seed_environment(layout, settings))
    env["STACK_SEED_SUMMARY"] = str(summary_file)
    # what scripts/stack-seed runs
    return subprocess.run([str(layout.python), "-m", "einvoice_stack.seed_cli"], env=env, check=False)


def _seed_created(summary_file) -> str:
    """What the seed created, from the summary it writes ('' when nothing)."""
    try:
        data = json.loads(summary_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "seed wrote no summary"
    return ", ".join(f"{count} {what}" for what, count in data.get("created", {}).items() if count)


def seed_environment(layout: Layout, settings: dict) -> dict[str, str]:
    """The environment the NixOS seeding hook passes (docs/nix.md, "Seeding hook")."""
    ports, hosts = settings["ports"], settings["hosts"]
    return {
        "STACK_SETTINGS": str(layout.settings_file),
        "STACK_URL": f"http://{settings['nginx']['listen']['addr']}:{ports['nginx']}",
        "ODOO_URL": f"http://{hosts['odoo']}:{ports['odoo']}",
        "ODOO_DB": settings["stack"]["database"],
        "ODOO_ADMIN_LOGIN": settings["stack"]["admin_login"],
        "ODOO_ADMIN_PASSWORD_FILE": str(layout.secret(secrets_store.ADMIN_PASSWORD)),
        "HACIENDA_ENVIRONMENT": settings["hacienda"]["environment"],
        "HACIENDA_SIMULATOR_URL": settings["simulator"]["url"],
        "HACIENDA_CREDENTIALS_FILE": str(layout.secret(secrets_store.HACIENDA_CREDENTIALS)),
        "CERTIFICATE_FILE": str(layout.certificate),
        "CERTIFICATE_PIN_FILE": str(layout.secret(secrets_store.CERTIFICATE_PIN)),
        "SIMULATOR_CONTROL_TOKEN_FILE": str(layout.secret(secrets_store.SIMULATOR_CONTROL_TOKEN)),
        **({"TEST_PKI_DIR": str(layout.test_pki)} if settings["hacienda"]["environment"] == "simulator" else {}),
    }


def up(layout: Layout, *, seed: bool = True) -> int:
    steps = Steps()
    settings = layout.load_settings()
    progs = programs(settings, layout)
    sup = Supervisor(layout)

    with steps.step(f"state directory {layout.home}") as out:
        if prepare_directories(layout):
            out.did("created")
    with steps.step("secrets") as out:
        created = secrets_store.ensure_secrets(layout, settings)
        if created:
            out.did("generated " + ", ".join(created))
    for what, material in (("Hacienda XSD schemas", schemas_dir), ("national PKI certificates", pki_dir)):
        with steps.step(what) as out:
            note = material.ensure(layout)
            if note.startswith(("copied", "downloaded")):
                out.did(note)
            else:
                out.noted(note)
    test_pki_made = []
    if settings["hacienda"]["environment"] == "simulator":
        with steps.step(f"staging test PKI {layout.test_pki}") as out:
            try:
                test_pki_made = test_pki.ensure(layout.test_pki, [str(layout.venv_bin("hacienda-cr"))])
            except test_pki.TestPkiError as exc:
                raise StackError(str(exc)) from None
            chown(layout.test_pki, recursive=True)
            if test_pki_made:
                out.did("made " + ", ".join(test_pki_made))
    with steps.step("configuration files") as out:
        changed_files = configs.write_all(settings, layout, progs)
        if changed_files:
            out.did("wrote " + ", ".join(changed_files))
        _, skipped = scrape_jobs(settings)
        if skipped:
            out.noted("no exporter on this host for: " + ", ".join(skipped))
    with steps.step("PostgreSQL cluster") as out:
        if postgres.initialise(layout):
            out.did(f"initdb {layout.pgdata}")
    with steps.step("supervisord") as out:
        if not sup.is_running():
            sup.start_daemon()
            out.did(f"started (socket {layout.supervisor_socket})")
        elif "supervisord.conf" in changed_files:
            added, changed, removed = sup.reload_config()
            if added or changed or removed:
                out.did(f"reloaded: added {added}, changed {changed}, removed {removed}")
    restart = _restart_targets(progs, changed_files)
    restart |= {p.name for p in progs if set(p.secret_files) & set(created)}
    if test_pki.SEAL_P12 in test_pki_made:
        restart.add("simulator")  # it reads its sealing key at start
    reload = _reload_targets(progs, changed_files)

    with steps.step("data services (" + ", ".join(p.name for p in progs if p.phase == "data") + ")") as out:
        _start_phase("data", progs, sup, layout, settings, restart, out, reload)

    with steps.step(f"database {settings['stack']['database']}") as out:
        for change in postgres.ensure_role_and_database(layout, settings, secrets_store.read_secret(
                layout, secrets_store.DB_PASSWORD)):
            out.did(change)
        found, missing = odoo_db.available_modules(layout, settings["odoo"]["modules"])
        if missing:
            log(f"WARNING: modules of [odoo].modules not in this checkout, not installed: {', '.join(missing)}")
            out.noted("missing from the checkout: " + ", ".join(missing))
        to_install, to_upgrade = odoo_db.plan(layout, settings)
        odoo_was_running = sup.state("odoo") == "RUNNING"
        if (to_install or to_upgrade) and odoo_was_running:
            sup.stop("odoo")
        try:
            for change in odoo_db.apply(layout, settings, to_install, to_upgrade):
                out.did(change)
        except StackError:
            # A failed -i/-u changed nothing in the database: keep serving what was there.
            if odoo_was_running:
                sup.start(["odoo"])
            raise
        if odoo_db.configure(layout, settings, secrets_store.read_secret(layout, secrets_store.ADMIN_PASSWORD)):
            out.did("admin password, time zone and base URL set")

    with steps.step("Odoo") as out:
        _start_phase("application", progs, sup, layout, settings, restart, out, reload)

    edge = [p.name for p in progs if p.phase == "edge"]
    with steps.step("edge and monitoring (" + ", ".join(edge) + ")") as out:
        _start_phase("edge", progs, sup, layout, settings, restart, out, reload)
        if not grafana_binary():
            out.noted("Grafana: not available on this host (no grafana-server binary)")

    if seed:
        with steps.step("seed (scripts/stack-seed)") as out:
            found, _ = odoo_db.available_modules(layout, [EINVOICE_MODULE])
            if not found:
                log(f"WARNING: {EINVOICE_MODULE} is not in this checkout: company configuration and "
                    "demo data are not seeded")
                out.noted("skipped: addon missing")
            else:
                summary_file = layout.run / "seed-summary.json"
                summary_file.unlink(missing_ok=True)
                result = run_seed(layout, settings, summary_file)
                if result.returncode != 0:
                    raise StackError(f"scripts/stack-seed failed (exit {result.returncode})")
                created = _seed_created(summary_file)
                if created:
                    out.did(created)
                else:
                    out.noted("already seeded: nothing created")

    summary(layout, settings, progs, steps)
    _record_timings(layout, steps)
    return 0


def _record_timings(layout: Layout, steps: Steps) -> None:
    """run/last-up.json: what this `up` took, step by step (read by the stack tests' report)."""
    path = layout.run / "last-up.json"
    path.write_text(json.dumps({
        "elapsed": round(steps.elapsed, 1),
        "changed": steps.changed,
        "steps": [{"name": name, "seconds": round(secs, 2), "changed": changed}
                  for name, secs, changed in steps.records],
    }, indent=2) + "\n", encoding="utf-8")
    chown(path)


def summary(layout: Layout, settings: dict, progs: list[Program], steps: Steps) -> None:
    ports = settings["ports"]
    nginx = settings["nginx"]["listen"]
    hosts = settings["hosts"]
    admin_pw = secrets_store.read_secret(layout, secrets_store.ADMIN_PASSWORD)
    names = {p.name for p in progs}
    lines = [
        "",
        f"Staging stack {settings['stack']['name']} is up ({steps.elapsed:.1f} s).",
        "  " + ("Nothing changed: every service was already up and configured."
                if not steps.changed else "Changed: " + "; ".join(steps.changed)),
        "",
        f"  Odoo (through nginx)   http://{nginx['addr']}:{nginx['port']}/odoo   database {settings['stack']['database']}",
        f"    login {settings['stack']['admin_login']} / password {admin_pw}",
        f"    (stored in {layout.secret(secrets_store.ADMIN_PASSWORD)})",
        f"  Odoo direct            http://{hosts['odoo']}:{ports['odoo']}  websocket :{ports['odoo_gevent']}",
        f"  Hacienda simulator     {settings['simulator']['url']}"
        + ("" if "simulator" in names else "  (not run: hacienda.environment is not 'simulator')"),
        f"  Prometheus             http://{hosts['monitoring']}:{ports['prometheus']}",
    ]
    if "grafana" in names:
        lines.append(f"  Grafana                http://{hosts['monitoring']}:{ports['grafana']}  login "
                     f"{settings['stack']['admin_login']} / {layout.secret(secrets_store.GRAFANA_ADMIN_PASSWORD)}")
    else:
        lines.append("  Grafana                not available on this host (no grafana-server binary)")
    lines += [
        f"  PostgreSQL             {hosts['database']}:{ports['postgresql']} (socket {layout.run})",
        f"  Redis                  {hosts['redis']}:{ports['redis']}",
        f"  Mail sink              {hosts['odoo']}:{ports['smtp_sink']} -> {layout.maildir}",
        f"  Logs                   scripts/stack logs [service]   ({layout.logs})",
        "",
    ]
    print("\n".join(lines), file=sys.stdout, flush=True)


def phases_in_stop_order() -> list[str]:
    return list(reversed(PHASES))


def upgrade(layout: Layout, modules: list[str]) -> int:
    """odoo-bin -u on the running stack's database: Odoo is stopped meanwhile."""
    from einvoice_stack.operate import ensure_running

    settings = layout.load_settings()
    found, missing = odoo_db.available_modules(layout, modules or settings["odoo"]["project_addons"])
    if modules and missing:
        raise StackError(f"not in the addons path: {', '.join(missing)}")
    sup = ensure_running(layout, ["postgresql"])
    steps = Steps()
    progs = programs(settings, layout)
    with steps.step("stop Odoo") as out:
        if sup.state("odoo") == "RUNNING":
            sup.stop("odoo")
            out.did()
    with steps.step(f"upgrade {', '.join(found)}") as out:
        to_install, to_upgrade = odoo_db.plan(layout, settings, force_upgrade=found)
        for change in odoo_db.apply(layout, settings, to_install, to_upgrade):
            out.did(change)
    with steps.step("Odoo") as out:
        _start_phase("application", progs, sup, layout, settings, set(), out)
    print(f"Upgrade finished in {steps.elapsed:.1f} s.")
    return 0
