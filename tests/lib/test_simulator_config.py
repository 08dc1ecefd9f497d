"""Simulator settings: users and their taxpayers, config files, fault specs and draws."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from hacienda_cr.errors import ConfigurationError
from hacienda_cr.simulator.config import (
    SimulatorConfig,
    load_config_file,
    parse_user_arg,
    read_users_file,
    taxpayer_from_username,
)
from hacienda_cr.simulator.faults import FaultInjector, parse_spec, parse_table


def test_taxpayer_read_from_hacienda_usernames():
    assert taxpayer_from_username("cpj-3-101-123456@stag.comprobanteselectronicos.go.cr") == ("02", "3101123456")
    assert taxpayer_from_username("CPF-01-0234-0567@prod.comprobanteselectronicos.go.cr") == ("01", "102340567")
    assert taxpayer_from_username("admin@example.com") is None


def test_user_argument_and_file(tmp_path):
    user = parse_user_arg("cpf-01-0234-0567@stag.comprobanteselectronicos.go.cr:pa:ss")
    assert user.password == "pa:ss" and user.may_act_for("01", "102340567")
    assert "pa:ss" not in repr(user)
    users = tmp_path / "users.txt"
    users.write_text("# staging users\n\ncpj-3-101-123456@stag.comprobanteselectronicos.go.cr:one\n")
    assert [u.username for u in read_users_file(users)] == ["cpj-3-101-123456@stag.comprobanteselectronicos.go.cr"]
    users.write_text("cpj-3-101-123456@stag.comprobanteselectronicos.go.cr:one\nnobody@example.com:x\n")
    with pytest.raises(ConfigurationError, match=r"users.txt:2: cannot tell which taxpayer 'nobody@example.com'"):
        read_users_file(users)
    users.write_text("cpj-3-101-123456@stag.comprobanteselectronicos.go.cr\n")
    with pytest.raises(ConfigurationError, match=r"users.txt:1: .* has no password"):
        read_users_file(users)
    with pytest.raises(ConfigurationError, match=r"users file .*missing\.txt"):
        read_users_file(tmp_path / "missing.txt")


def test_config_file_toml_and_json(tmp_path):
    (tmp_path / "more-users.txt").write_text("cpj-3-102-654321@stag.comprobanteselectronicos.go.cr:two\n")
    toml = tmp_path / "sim.toml"
    toml.write_text(
        """
port = 9001
db = "state/sim.sqlite3"
processing_delay = 1
schema_set = "v4.4"
users_file = "more-users.txt"

[[users]]
username = "admin@example.com"
password = "x"
taxpayers = ["02-3101123456", {type = "01", number = "102340567"}]
name = "Empresa Demo S.A."

[faults]
reset_after = 0.05
latency = { probability = 0.5, min = 0.01, max = 0.02 }
"""
    )
    config = load_config_file(toml)
    config.check()
    assert config.port == 9001 and config.processing_delay == 1.0
    assert config.db == tmp_path / "state" / "sim.sqlite3"
    admin = next(u for u in config.users if u.username == "admin@example.com")
    assert admin.taxpayers == {("02", "3101123456"), ("01", "102340567")} and admin.name == "Empresa Demo S.A."
    assert {u.username for u in config.users} == {"admin@example.com", "cpj-3-102-654321@stag.comprobanteselectronicos.go.cr"}
    assert config.faults["latency"].params == {"min": 0.01, "max": 0.02}

    as_json = tmp_path / "sim.json"
    as_json.write_text(json.dumps({"token_ttl": 60, "users": [{"username": "cpj-3-101-123456@stag.x", "password": "p"}]}))
    assert load_config_file(as_json).token_ttl == 60


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("port = 'x'", "port must be a int"),
        ("colour = 1", "unknown setting"),
        ("[faults]\nexplode = 0.1", "unknown fault 'explode'"),
        ("[faults]\nreset_after = 1.5", "between 0 and 1"),
        ("[[users]]\nusername = 'a@b'\npassword = 'p'\ntaxpayers = ['99-1']", r"users\[0\].taxpayers\[0\]"),
        ("this is not toml", "not valid TOML"),
    ],
)
def test_config_file_errors_name_the_setting(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=message):
        load_config_file(path)


def test_config_check():
    with pytest.raises(ConfigurationError, match="no users"):
        SimulatorConfig().check()
    user = parse_user_arg("cpj-3-101-123456@stag.x:p")
    with pytest.raises(ConfigurationError, match="given twice"):
        SimulatorConfig(users=[user, user]).check()
    with pytest.raises(ConfigurationError, match="processing_delay must not be negative"):
        SimulatorConfig(users=[user], processing_delay=-1).check()


def test_fault_spec():
    faults = parse_spec("latency=0.1:0.01-0.05, 429=0.05:2, 5xx=0.04:502, reset_before=0.03, reset_after=0.03,"
                        "timeout_before=0.02:1.5, timeout_after=0.02, token=0.05, reject=0.02")
    assert faults["latency"].params == {"min": 0.01, "max": 0.05}
    assert faults["rate_limit"].params == {"retry_after": 2}
    assert faults["server_error"].params == {"status": 502}
    assert faults["timeout_before"].params == {"hold": 1.5}
    assert faults["token_outage"].probability == 0.05
    for spec, message in (
        ("reset=2", "between 0 and 1"),
        ("timeout=0.1", "timeout_before .* or timeout_after"),
        ("server_error=0.1:404", "not a 5xx"),
        ("reset_after=0.1:3", "takes no parameter"),
        ("latency=0.1:0.5-0.1", "min <= max"),
        ("rate_limit=0.6,server_error=0.6", "add up to 1.2"),
        ("nonsense", "kind=probability"),
    ):
        with pytest.raises(ConfigurationError, match=message):
            parse_spec(spec)


def test_fault_draws_follow_the_probabilities():
    injector = FaultInjector(parse_table({"rate_limit": 0.1, "server_error": 0.1, "reset_after": 0.1, "reject": 0.2}), seed=1)
    n = 20000
    submit = Counter(injector.draw("submit").action for _ in range(n))
    for kind in ("rate_limit", "server_error", "reset_after"):
        assert abs(submit[kind] / n - 0.1) < 0.015, submit
    status = Counter(injector.draw("status").action for _ in range(n))
    assert status["reset_after"] == 0  # only a submission can be recorded before the reset
    assert abs(status["rate_limit"] / n - 0.1) < 0.015
    rejects = sum(injector.draw("submit").reject for _ in range(n))
    assert abs(rejects / n - 0.2) < 0.02
    assert injector.draw("token").action is None  # no token outage configured


def test_same_seed_same_faults():
    spec = parse_spec("rate_limit=0.2,reset_before=0.2,latency=0.5:0-0.1")
    a, b = FaultInjector(spec, seed=9), FaultInjector(spec, seed=9)
    assert [a.draw("submit").action for _ in range(200)] == [b.draw("submit").action for _ in range(200)]


def test_scripted_faults_hit_the_next_matching_requests():
    injector = FaultInjector()
    injector.update({"next": [{"kind": "reset_after"}, {"kind": "429", "endpoint": "status", "retry_after": 0.1}, {"kind": "unauthorized", "endpoint": "any"}]})
    assert injector.draw("token").action is None  # "any" means any API endpoint
    assert injector.draw("status").action == "rate_limit"
    assert injector.draw("status").action == "unauthorized"
    plan = injector.draw("submit")
    assert plan.action == "reset_after"
    assert injector.draw("submit").action is None
    injector.update({"faults": {"reject": 1}})
    assert injector.draw("submit").reject
    injector.update({"faults": {}, "replace": True})
    assert injector.settings() == {"faults": {}, "next": []}
    with pytest.raises(ConfigurationError, match="only applies to the submit endpoint"):
        injector.update({"next": [{"kind": "reset_after", "endpoint": "status"}]})
    with pytest.raises(ConfigurationError, match="unknown key"):
        injector.update({"fault": {}})


def test_cli_reports_bad_simulator_options_without_traceback(tmp_path):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "hacienda_cr.cli", "simulator", "--db", str(tmp_path / "s.db"), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    proc = run()
    assert proc.returncode == 2 and "error: no users" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("--user", "cpj-3-101-123456@stag.x:p", "--faults", "reset=3")
    assert proc.returncode == 2 and "between 0 and 1" in proc.stderr
    proc = run("--user", "someone@example.com:p")
    assert proc.returncode == 2 and "cannot tell which taxpayer" in proc.stderr
    proc = run("--user", "cpj-3-101-123456@stag.x:p", "--xsd-dir", str(tmp_path))
    assert proc.returncode == 2 and "no v4.4/ or v4.4-2026/ directory" in proc.stderr
