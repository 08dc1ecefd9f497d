"""einvoice_stack.odoo_first_start, the NixOS Odoo unit's ExecStartPre: the steps scripts/stack
takes before Odoo starts, in its order, with its Odoo shell scripts -- run here against a
stand-in `odoo` (records each call and its stdin, keeps which modules are installed) and
a stand-in `psql` (answers from that record). What real Odoo 19 and PostgreSQL do with
the scripts is outside these tests (docs/nix.md, "What has been executed where")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomllib
from einvoice_stack import stackconf
from einvoice_stack.layout import Layout
from pg_cluster import pg_bin as pg_cluster_bin

REPO = Path(__file__).resolve().parents[2]
SETTINGS = REPO / "stack" / "settings.toml"

HELPER = ["-m", "einvoice_stack.odoo_first_start"]

FAKE_ODOO = """\
import json, os, sys
state_file = os.environ["FAKE_STATE"]
state = json.load(open(state_file)) if os.path.exists(state_file) else {"installed": [], "calls": []}
args = sys.argv[1:]
stdin = sys.stdin.read() if args[0] == "shell" else None
state["calls"].append({"args": args, "stdin": stdin})
if "-i" in args:
    state["installed"] += [m for m in args[args.index("-i") + 1].split(",") if m not in state["installed"]]
json.dump(state, open(state_file, "w"))
print("2026-01-01 00:00:00,000 42 INFO staging_cr odoo: fake odoo", " ".join(args))
if os.environ.get("FAKE_FAIL") and os.environ["FAKE_FAIL"] in " ".join(args):
    print("2026-01-01 00:00:01,000 42 ERROR staging_cr odoo.modules.loading: it broke")
"""
FAKE_PSQL = """\
import json, os, sys
if os.environ.get("FAKE_PSQL_FAIL"):
    print("psql: error: connection refused", file=sys.stderr)
    sys.exit(2)
assert os.environ.get("PGPASSWORD") == "db-secret", "the password comes in PGPASSWORD"
state_file = os.environ["FAKE_STATE"]
state = json.load(open(state_file)) if os.path.exists(state_file) else {"installed": []}
sql = sys.stdin.read()
if "to_regclass" in sql:
    print("t" if state["installed"] else "f")
else:
    # the module names come as a psql variable on standard input: \\set names 'a,b'
    names = sql.split("\\set names '", 1)[1].split("'", 1)[0].split(",")
    for name in names:
        if name in state["installed"]:
            print(f"{name}|installed")
"""


@pytest.fixture
def world(tmp_path):
    """A state directory, the secrets, stand-in odoo/psql and the resolved settings."""
    for name, body in (("odoo", FAKE_ODOO), ("psql", FAKE_PSQL)):
        path = tmp_path / name
        path.write_text(f"#!{sys.executable}\n{body}")
        path.chmod(0o755)
    (tmp_path / "state").mkdir()
    (tmp_path / "admin-password").write_text("admin-secret\n")
    (tmp_path / "db-password").write_text("db-secret\n")
    resolved = stackconf.load(SETTINGS)
    (tmp_path / "resolved.json").write_text(json.dumps(resolved))
    return tmp_path


def argv(world: Path, addons_id: str = "/nix/store/aaa-addons", psql: str | None = None,
         wait: float | None = 0) -> list[str]:
    """The first start's command line; `wait=None` keeps its own default wait."""
    return [sys.executable, *HELPER,
            "--resolved", str(world / "resolved.json"), "--odoo", str(world / "odoo"),
            "--psql", psql or str(world / "psql"), "--config", "/run/odoo/odoo.cfg",
            "--state-dir", str(world / "state"), "--admin-password-file", str(world / "admin-password"),
            "--db-password-file", str(world / "db-password"), "--addons-id", addons_id,
            *(["--wait-for-database", str(wait)] if wait is not None else [])]


def run(world: Path, addons_id: str = "/nix/store/aaa-addons", **env) -> subprocess.CompletedProcess:
    return subprocess.run(argv(world, addons_id), capture_output=True, text=True, check=False,
                          env={**os.environ, "FAKE_STATE": str(world / "fake.json"), **env})


def calls(world: Path) -> list[dict]:
    path = world / "fake.json"
    return json.loads(path.read_text())["calls"] if path.exists() else []


def what_scripts_stack_sends(monkeypatch, tmp_path, settings) -> list[tuple[list[str], str | None]]:
    """The odoo-bin runs einvoice_stack.odoo_db makes for a new database, with
    their stdin: its own functions, odoo-bin replaced by a recorder."""
    from einvoice_stack import odoo_db

    runs = []
    monkeypatch.setattr(odoo_db, "_odoo", lambda layout, args, **kw: runs.append((args, kw.get("input"))))
    monkeypatch.setattr(odoo_db.secrets_store, "write_private", lambda path, data: path.write_bytes(data))
    lay = Layout(home=tmp_path / "stack-home", repo=REPO, venv=tmp_path / "venv", odoo_src=tmp_path / "odoo",
                 settings_file=SETTINGS)
    lay.etc.mkdir(parents=True)
    odoo_db._initialise_base(lay, settings)
    odoo_db.configure(lay, settings, "admin-secret")
    return runs


def test_a_new_database_gets_what_scripts_stack_gives_it(world, monkeypatch, tmp_path):
    proc = run(world)
    assert proc.returncode == 0, proc.stderr
    got = calls(world)
    common = ["--config=/run/odoo/odoo.cfg", "--database=staging_cr", "--no-http"]
    settings = stackconf.load(SETTINGS)
    modules = ",".join(settings["odoo"]["modules"])
    assert [c["args"] for c in got] == [
        ["-i", "base", "--stop-after-init", *common],
        ["shell", *common],
        ["-i", modules, f"--load-language={settings['stack']['lang']}", "--stop-after-init", *common],
        ["shell", *common],
    ]
    # the country is set between base and the modules (account comes with l10n_cr)
    plain = what_scripts_stack_sends(monkeypatch, tmp_path, settings)
    country, configure = plain[1][1], plain[2][1]
    assert "env.ref('base.cr')" in country and "America/Costa_Rica" in country
    assert got[1]["stdin"] == country
    assert got[3]["stdin"] == configure
    assert "admin-secret" in configure and "web.base.url" in configure
    assert "installed l10n_cr" in proc.stderr


def test_a_restart_does_nothing(world):
    assert run(world).returncode == 0
    before = len(calls(world))
    proc = run(world)
    assert proc.returncode == 0, proc.stderr
    assert len(calls(world)) == before
    assert "already up to date" in proc.stderr


def test_a_new_admin_password_is_applied_at_the_next_start(world):
    assert run(world).returncode == 0
    (world / "admin-password").write_text("rotated-secret\n")
    assert run(world).returncode == 0
    last = calls(world)[-1]
    assert last["args"][0] == "shell" and "rotated-secret" in last["stdin"]
    assert len(calls(world)) == 5


# The settings' modules: what the first start installs; project addons are those under addon/.
def _modules():
    return tomllib.loads((REPO / "stack" / "settings.toml").read_text())["odoo"]["modules"]


def _project_addons():
    return [m for m in _modules() if (REPO / "addon" / m / "__manifest__.py").is_file()]


def test_new_addon_code_upgrades_the_project_addons_only(world):
    assert run(world).returncode == 0
    proc = run(world, addons_id="/nix/store/bbb-addons")
    assert proc.returncode == 0, proc.stderr
    assert calls(world)[-1]["args"][:3] == ["-u", ",".join(_project_addons()), "--stop-after-init"]
    assert len(calls(world)) == 5


def test_a_database_with_base_gets_only_the_missing_modules(world):
    (world / "fake.json").write_text(json.dumps({"installed": ["base", "l10n_cr"], "calls": []}))
    assert run(world).returncode == 0
    assert [c["args"][:2] for c in calls(world)] == [
        ["-i", ",".join(m for m in _modules() if m != "l10n_cr")], ["shell", "--config=/run/odoo/odoo.cfg"]]


def test_an_error_in_odoos_log_stops_the_start(world):
    proc = run(world, FAKE_FAIL="l10n_cr_einvoice")
    assert proc.returncode == 1
    assert f"installing {', '.join(_modules())} failed" in proc.stderr
    assert "ERROR staging_cr odoo.modules.loading: it broke" in proc.stderr
    assert "Traceback" not in proc.stderr
    # nothing after the failed step; the next start tries again
    assert [c["args"][:2] for c in calls(world)][-1][:1] == ["-i"]
    assert not (world / "state" / ".l10n-cr-einvoice-configured.sha256").exists()
    assert run(world).returncode == 0


def test_an_unreachable_database_is_reported(world):
    proc = run(world, FAKE_PSQL_FAIL="1")
    assert proc.returncode == 1
    assert "reading the modules of staging_cr on 127.0.0.1:5433 as odoo failed" in proc.stderr
    assert "connection refused" in proc.stderr and "Traceback" not in proc.stderr
    assert calls(world) == []


def test_postgresql_that_comes_up_late_is_waited_for(world, pg_cluster):
    """The split deployment's Odoo machine: PostgreSQL on the database machine (real here,
    with the role and database its setup unit makes) is down when the first start begins
    and comes up seconds later. The first start waits and goes on; it does not fail (and
    have systemd give up after a few quick restarts)."""
    pg_cluster.start()
    pg_cluster.sql("CREATE ROLE odoo LOGIN PASSWORD 'db-secret'")
    pg_cluster.sql("CREATE DATABASE staging_cr OWNER odoo")
    pg_cluster.stop()
    resolved = json.loads((world / "resolved.json").read_text())
    resolved["odoo"]["options"].update(db_host="127.0.0.1", db_port=pg_cluster.port)
    (world / "resolved.json").write_text(json.dumps(resolved))
    proc = subprocess.Popen(argv(world, psql=str(pg_cluster.bin / "psql"), wait=None), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "FAKE_STATE": str(world / "fake.json")})
    try:
        # down for a while: the first start is still waiting, nothing done
        time.sleep(6)
        assert proc.poll() is None, proc.stdout.read()
        assert calls(world) == []
        pg_cluster.start()
        output, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    assert "waiting for PostgreSQL (staging_cr on 127.0.0.1" in output
    # the database was new: base first, as for any new database
    assert calls(world)[0]["args"][:2] == ["-i", "base"]


def test_postgresql_that_never_comes_is_reported_after_the_wait(world):
    resolved = json.loads((world / "resolved.json").read_text())
    resolved["odoo"]["options"].update(db_host="127.0.0.1", db_port=1)  # nothing listens there
    (world / "resolved.json").write_text(json.dumps(resolved))
    psql = pg_cluster_bin() / "psql"
    t0 = time.monotonic()
    proc = subprocess.run(argv(world, psql=str(psql), wait=3), capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert time.monotonic() - t0 >= 3
    assert "reading the modules of staging_cr on 127.0.0.1:1 as odoo failed (waited 3 s)" in proc.stderr
    assert calls(world) == []
