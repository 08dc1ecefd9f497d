"""einvoice_stack.stackconf: the resolved settings both deployments are built from."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from einvoice_stack import stackconf

REPO = Path(__file__).resolve().parents[2]


def test_resolves_the_repository_settings():
    r = stackconf.load()
    # project addons: the settings' modules that live under addon/ (l10n_cr is Odoo's)
    assert r["odoo"]["project_addons"] == [m for m in r["odoo"]["modules"] if m != "l10n_cr"]
    assert {"l10n_cr_einvoice", "l10n_cr_einvoice_pos"} <= set(r["odoo"]["project_addons"])
    assert r["odoo"]["options"]["http_port"] == r["ports"]["odoo"]
    # both deployments load l10n_cr_einvoice server-wide: Odoo's workers die with its main
    # process, cron workers look for due jobs every few seconds (server_wide.py)
    assert "l10n_cr_einvoice" in r["odoo"]["options"]["server_wide_modules"].split(",")
    ws = next(loc for loc in r["nginx"]["locations"] if loc["path"] == "/websocket")
    assert ws["proxy_pass"] == "http://odoo_gevent" and ws["websocket"]
    health = next(loc for loc in r["nginx"]["locations"] if loc["action"] == "health")
    assert (health["key"], health["return"]) == ("= /health", "200 ok")
    odoo_job = r["prometheus"]["scrape_configs"][0]
    assert odoo_job["bearer_token_secret"] == "metrics_token"
    assert odoo_job["static_configs"] == [{"targets": ["127.0.0.1:8070"]}]
    # jobs without their own interval get the global one, as Prometheus would
    prom_job = next(j for j in r["prometheus"]["scrape_configs"] if j["job_name"] == "prometheus")
    assert prom_job["scrape_interval"] == r["prometheus"]["global"]["scrape_interval"]


def test_hosts_override_moves_targets_and_upstreams():
    r = stackconf.load(hosts={"odoo": "app", "database": "db", "redis": "db"})
    assert r["nginx"]["upstreams"]["odoo"] == ["app:8070"]
    assert r["odoo"]["options"]["db_host"] == "db"
    node = next(j for j in r["prometheus"]["scrape_configs"] if j["job_name"] == "node")
    assert node["static_configs"][0]["targets"] == ["127.0.0.1:9100", "app:9100", "db:9100"]
    with pytest.raises(stackconf.SettingsError, match="unknown stack role 'web'"):
        stackconf.load(hosts={"web": "x"})


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("odoo = 8070", "odoo = 8072", "ports.odoo_gevent and ports.odoo are both 8072"),
        ("odoo = 8070", "odoo = 70000", "ports.odoo must be a TCP port"),
        ('upstream = "odoo_gevent"', 'upstream = "gevent"', "nginx.locations[1].upstream"),
        ('job = "redis"', 'job = "nginx"', "job names repeated: nginx"),
        ('[grafana]', '[grafana_]', "grafana is missing"),
    ],
)
def test_bad_settings_name_the_field(tmp_path, old, new, message):
    text = (REPO / "stack/settings.toml").read_text()
    assert old in text
    bad = tmp_path / "settings.toml"
    bad.write_text(text.replace(old, new, 1))
    with pytest.raises(stackconf.SettingsError) as exc:
        stackconf.load(bad)
    assert message in str(exc.value)
    assert str(bad) in str(exc.value)


def test_cli_prints_json_and_reports_errors_without_traceback(tmp_path):
    out = subprocess.run([sys.executable, "-m", "einvoice_stack.stackconf", "--json"],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == stackconf.load()
    bad = tmp_path / "broken.toml"
    bad.write_text("[stack\n")
    proc = subprocess.run([sys.executable, "-m", "einvoice_stack.stackconf", "--json",
                           "--settings", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "not valid TOML" in proc.stderr and "Traceback" not in proc.stderr
