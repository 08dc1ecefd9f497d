"""The plain-host stack's PostgreSQL steps (einvoice_stack.postgres): values reach psql on
its standard input, never on its command line, where every account of the host can read
them (/proc/PID/cmdline) -- the Odoo role's password among them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from einvoice_stack import postgres
from einvoice_stack.layout import Layout

PASSWORD = "pw-with-'quote'-\\backslash-and-$dollar"


def _settings(port: int) -> dict:
    return {"ports": {"postgresql": port}, "postgresql": {"listen": {"addr": "127.0.0.1", "port": port}},
            "stack": {"db_user": "odoo", "database": "staging_cr"}}


def _layout(home: Path) -> Layout:
    return Layout(home=home, repo=home, venv=home / "venv", odoo_src=home / "odoo", settings_file=home / "s.toml")


def test_the_password_is_never_on_a_command_line(monkeypatch, tmp_path):
    """Setting the Odoo role's password: psql gets it on standard input only."""
    calls = []
    logins = iter([1, 0])  # the password does not work yet; after ALTER ROLE it does

    def run_as(argv, *, input=None, env=None, check=True, capture=False, **kw):
        argv = [str(a) for a in argv]
        calls.append({"argv": argv, "input": input or "", "env": env or {}})
        if "-c" in argv:  # password_works: a TCP login as the role
            code = next(logins)
            return subprocess.CompletedProcess(argv, code, stdout="1\n" if code == 0 else "", stderr="")
        return subprocess.CompletedProcess(argv, 0, stdout="1\n", stderr="")

    monkeypatch.setattr(postgres, "run_as", run_as)
    changed = postgres.ensure_role_and_database(_layout(tmp_path), _settings(5432), PASSWORD)
    assert changed == ["password of odoo"]
    for call in calls:
        assert not any(PASSWORD in arg for arg in call["argv"]), f"password on a command line: {call['argv']}"
    alter = [c for c in calls if "ALTER ROLE" in c["input"]]
    assert len(alter) == 1 and PASSWORD.replace("'", "''").replace("\\", "\\\\") in alter[0]["input"]


VALUES = ["plain", "it's", "back\\slash", "a:'b'\\'c", "naïve €", "-v x=1; DROP"]


def test_variables_reach_psql_unchanged(pg_cluster):
    """A psql variable set from standard input holds the exact value (quotes, backslashes,
    non-ASCII), whatever psql does with meta-command quoting."""
    pg_cluster.start()
    layout = _layout(pg_cluster.dir)
    for value in VALUES:
        got = postgres.psql(layout, _settings(pg_cluster.port), "SELECT :'v';", variables={"v": value})
        assert got == value


def test_a_value_spanning_lines_is_refused():
    with pytest.raises(postgres.StackError, match="cannot span lines"):
        postgres.psql_variable("v", "two\nlines")


def test_the_role_logs_in_with_the_password_set_through_standard_input(pg_cluster):
    pg_cluster.start()
    layout, settings = _layout(pg_cluster.dir), _settings(pg_cluster.port)
    assert postgres.ensure_role_and_database(layout, settings, PASSWORD) == [
        "role odoo", "database staging_cr", "extension pg_trgm", "password of odoo"]
    assert postgres.password_works(settings, PASSWORD)
    assert not postgres.password_works(settings, "another")
    # idempotent: nothing to do the second time
    assert postgres.ensure_role_and_database(layout, settings, PASSWORD) == []


def test_the_database_has_pg_trgm_owned_by_odoos_role(pg_cluster):
    """Odoo skips its trigram indexes in a database without pg_trgm; owned by Odoo's role, a
    dump of it restores without a superuser."""
    pg_cluster.start()
    layout, settings = _layout(pg_cluster.dir), _settings(pg_cluster.port)
    postgres.ensure_role_and_database(layout, settings, PASSWORD)
    owners = postgres.psql(layout, settings, "SELECT extname || ':' || extowner::regrole FROM pg_extension"
                           " WHERE extname <> 'plpgsql'", database="staging_cr")
    assert owners == "pg_trgm:odoo"
    # a database that lacks it (made by an older stack) gets it
    postgres.psql(layout, settings, "DROP EXTENSION pg_trgm", database="staging_cr")
    assert postgres.ensure_role_and_database(layout, settings, PASSWORD) == ["extension pg_trgm"]
