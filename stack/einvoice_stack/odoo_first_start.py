"""The staging database's Odoo side for the NixOS module's Odoo unit (ExecStartPre), done
the way scripts/stack does it (odoo_db), with that module's scripts:

  1. when `base` is not installed: `base`, then the company set to Costa Rica and CRC
     (odoo_db.COUNTRY_SCRIPT in `odoo shell`) -- before `account` is installed, so
     l10n_cr's chart (13 % IVA, CRC) is loaded instead of the generic USD one;
  2. the [odoo].modules not installed yet, installed;
  3. the project's addons upgraded (`-u`) when the addons package changed since the last
     start (scripts/stack upgrades when a manifest version moved);
  4. the admin's login, password and time zone and the base URLs set
     (odoo_db.SHELL_SCRIPT), whenever their inputs changed (a new password file too).

What is installed is read from the database (psql, as Odoo's role), so a restored or
half-initialised database is taken as it is; a PostgreSQL that does not accept the role
yet (on another machine, still starting or not given the role) is waited for
(--wait-for-database); the addons package and the configuration last applied are
remembered in the state directory. Runs before Odoo's service starts. Standard library only.

    python -m einvoice_stack.odoo_first_start --resolved FILE.json --odoo BIN --psql BIN \
        --config FILE --state-dir DIR --admin-password-file FILE --db-password-file FILE \
        --addons-id ID [--wait-for-database SECONDS]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from einvoice_stack import odoo_db, secrets_store
from einvoice_stack.postgres import psql_variable

ADDONS_DONE = ".l10n-cr-einvoice-addons"
CONFIGURED = ".l10n-cr-einvoice-configured.sha256"


class FirstStartError(Exception):
    pass


def say(message: str) -> None:
    print(f"odoo-first-start: {message}", file=sys.stderr, flush=True)


class Odoo:
    """odoo-bin with the unit's config, judged like scripts/stack judges it: a non-zero
    exit or any ERROR/CRITICAL log line (odoo_db.LOG_PROBLEM) is a failure."""

    def __init__(self, binary: str, config: str, database: str, log_problem):
        self.binary, self.config, self.database = binary, config, database
        self.log_problem = log_problem

    def run(self, args: list[str], what: str, script: str | None = None) -> None:
        argv = [self.binary, *args, f"--config={self.config}", f"--database={self.database}",
                "--no-http"]
        say(f"{what}: {' '.join(args)}")
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE if script is not None else subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        except OSError as exc:
            raise FirstStartError(f"{what}: cannot run {self.binary}: {exc.strerror}") from None
        if script is not None:
            proc.stdin.write(script)
            proc.stdin.close()
        lines = []
        for line in proc.stdout:
            # Odoo's log goes on to the journal; kept to find its ERROR lines afterwards.
            sys.stderr.write(line)
            lines.append(line)
        code = proc.wait()
        text = "".join(lines)
        problems = self.log_problem.findall(text)
        if code != 0 or problems:
            first = next((line.rstrip() for line in lines if self.log_problem.match(line)),
                         lines[-1].rstrip() if lines else "no output")
            raise FirstStartError(f"{what} failed (exit {code}, {len(problems)} ERROR/CRITICAL "
                                  f"line(s)); first: {first}")


def _read(path: Path, what: str) -> str:
    try:
        return secrets_store.read_file(path, f"{what} {path}")
    except secrets_store.SecretFileError as exc:
        raise FirstStartError(str(exc)) from None


def _done(state: Path, name: str) -> str | None:
    path = state / name
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def _mark(state: Path, name: str, value: str) -> None:
    tmp = state / f".{name}.tmp"
    tmp.write_text(value + "\n", encoding="utf-8")
    tmp.replace(state / name)


# psql's exit status when it could not connect (server down, refused, no such database or
# role, wrong password): on a machine without the database part, PostgreSQL on the other
# machine comes up (and gets the Odoo role and database) in its own time.
PSQL_CONNECTION_FAILED = 2
WAIT_STEP = 2.0


def module_states(psql: str, resolved: dict, db_password: str, names: list[str], *,
                  wait: float = 0.0) -> dict[str, str]:
    """name -> state in ir_module_module ({} for a database Odoo never initialised). Waits
    up to `wait` seconds for PostgreSQL to accept the Odoo role's login."""
    o = resolved["odoo"]["options"]
    argv = [psql, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", o["db_host"],
            "-p", str(o["db_port"]), "-U", o["db_user"], "-d", o["db_name"]]
    # the password in psql's environment only, never on a command line
    env = {**os.environ, "PGPASSWORD": db_password, "PGCONNECT_TIMEOUT": "10"}
    where = f"{o['db_name']} on {o['db_host']}:{o['db_port']} as {o['db_user']}"

    def query(sql: str) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(argv, input=sql, env=env, capture_output=True, text=True, check=False,
                                  timeout=120)
        except OSError as exc:
            raise FirstStartError(f"cannot run {psql}: {exc.strerror}") from None

    deadline = time.monotonic() + wait
    announced = 0.0
    while True:
        proc = query("SELECT to_regclass('ir_module_module') IS NOT NULL")
        if proc.returncode != PSQL_CONNECTION_FAILED or time.monotonic() >= deadline:
            break
        if time.monotonic() - announced >= 30:
            say(f"waiting for PostgreSQL ({where}): {proc.stderr.strip().splitlines()[-1:]}")
            announced = time.monotonic()
        time.sleep(WAIT_STEP)
    if proc.returncode != 0:
        waited = f" (waited {wait:.0f} s)" if wait else ""
        raise FirstStartError(f"reading the modules of {where} failed{waited}: {proc.stderr.strip()}")
    if proc.stdout.strip() != "t":
        return {}
    proc = query(psql_variable("names", ",".join(names))
                 + "SELECT name, state FROM ir_module_module WHERE name = ANY(string_to_array(:'names', ','))")
    if proc.returncode != 0:
        raise FirstStartError(f"reading the modules of {where} failed: {proc.stderr.strip()}")
    return dict(row.split("|", 1) for row in proc.stdout.strip().splitlines() if row)


def run(args: argparse.Namespace) -> list[str]:
    """Bring the database where scripts/stack would; returns what was done."""
    try:
        resolved = json.loads(Path(args.resolved).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FirstStartError(f"--resolved {args.resolved}: {exc}") from None
    state = Path(args.state_dir)
    if not state.is_dir():
        raise FirstStartError(f"--state-dir {state} does not exist")
    database = resolved["stack"]["database"]
    wanted = resolved["odoo"]["modules"]
    odoo = Odoo(args.odoo, args.config, database, odoo_db.LOG_PROBLEM)
    db_password = _read(Path(args.db_password_file), "database password file")
    states = module_states(args.psql, resolved, db_password, ["base", *wanted], wait=args.wait_for_database)
    done = []

    if states.get("base") != "installed":
        odoo.run(["-i", "base", "--stop-after-init"], f"initialising {database} with base")
        odoo.run(["shell"], "setting the company to Costa Rica (CRC)",
                 script=odoo_db.country_script(resolved))
        done.append("initialised base (Costa Rica company)")

    to_install = [m for m in wanted if states.get(m) != "installed"]
    if to_install:
        # Separate from -u (as scripts/stack does): one run would upgrade what -i pulls in.
        odoo.run(odoo_db.install_args(resolved, to_install), f"installing {', '.join(to_install)}")
        done.append("installed " + ", ".join(to_install))
    if _done(state, ADDONS_DONE) != args.addons_id:
        # Addon code the database has not seen (nixos-rebuild with changed addons, or a
        # restored database): its data and schema changes take effect through -u.
        upgrade = [m for m in resolved["odoo"]["project_addons"]
                   if states.get(m) == "installed"]
        if upgrade:
            odoo.run(["-u", ",".join(upgrade), "--stop-after-init"],
                     f"upgrading {', '.join(upgrade)}")
            done.append("upgraded " + ", ".join(upgrade))
        _mark(state, ADDONS_DONE, args.addons_id)

    spec = odoo_db.configure_spec(resolved, _read(Path(args.admin_password_file), "admin password file"))
    fingerprint = odoo_db.configure_fingerprint(spec, database)
    if _done(state, CONFIGURED) != fingerprint:
        odoo.run(["shell"], "setting the admin's login, password, time zone and base URLs",
                 script=odoo_db.configure_script(spec))
        _mark(state, CONFIGURED, fingerprint)
        done.append("configured the admin and base URLs")
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolved", required=True, help="the module's resolved settings (JSON)")
    parser.add_argument("--odoo", required=True, help="the odoo executable")
    parser.add_argument("--psql", required=True, help="PostgreSQL's psql")
    parser.add_argument("--config", required=True, help="Odoo's configuration file")
    parser.add_argument("--state-dir", required=True, help="where what was done is remembered")
    parser.add_argument("--admin-password-file", required=True)
    parser.add_argument("--db-password-file", required=True, help="the Odoo role's PostgreSQL password")
    parser.add_argument("--addons-id", required=True, help="identifies the addons package (its store path)")
    parser.add_argument("--wait-for-database", type=float, default=300, metavar="SECONDS",
                        help="how long to wait for PostgreSQL to accept the Odoo role (default 300)")
    args = parser.parse_args(argv)
    try:
        done = run(args)
    except FirstStartError as exc:
        say(f"error: {exc}")
        return 1
    say("; ".join(done) if done else "database already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
