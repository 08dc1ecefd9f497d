"""The NixOS module consumes the settings as einvoice_stack.stackconf resolves them (the one
implementation of the rules): stack/settings.resolved.json. These tests prove the committed
export current, show that evaluation refuses a stale one, and check the module's only own
work on it -- filling in each role's address -- against what stackconf resolves for those
addresses."""

from __future__ import annotations

import json
import subprocess

import pytest
from einvoice_stack import stackconf
from nix_harness import NIXPKGS_LIB, REPO, edit, flake_check

SETTINGS = REPO / "stack" / "settings.toml"
EXPORT = REPO / "stack" / "settings.resolved.json"


def test_the_committed_export_is_current():
    current = stackconf.dumps(stackconf.nix_export(SETTINGS))
    assert EXPORT.read_text(encoding="utf-8") == current, (
        "stack/settings.resolved.json is stale: run python -m einvoice_stack.stackconf --nix-json "
        "-o stack/settings.resolved.json")


def nix_settings(hosts: dict, settings=SETTINGS, export=EXPORT) -> subprocess.CompletedProcess:
    expr = (f"import {REPO}/nix/lib/settings.nix {{ lib = import {NIXPKGS_LIB}/lib; "
            f"settingsFile = {settings}; resolvedSettingsFile = {export}; "
            f"hosts = builtins.fromJSON {json.dumps(json.dumps(hosts))}; }}")
    return subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "-E", expr],
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("hosts", [
    {},
    # the split VM test's machines
    {"proxy": "proxy", "monitoring": "proxy", "odoo": "app", "simulator": "app", "database": "db", "redis": "db"},
    {"odoo": "fd00::2", "database": "10.0.0.3"},
], ids=["one host", "three machines", "ipv6"])
def test_filling_in_the_hosts_gives_what_stackconf_resolves_for_them(hosts):
    proc = nix_settings(hosts)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == stackconf.load(SETTINGS, hosts=hosts)


def test_an_export_of_another_settings_file_is_refused(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text(SETTINGS.read_text(encoding="utf-8").replace("nginx = 8080", "nginx = 8181"))
    proc = nix_settings({}, settings=settings)
    assert proc.returncode != 0
    assert "was made from another version of" in proc.stderr
    assert "python -m einvoice_stack.stackconf --nix-json" in proc.stderr
    # regenerated, it is accepted and carries the change
    export = tmp_path / "settings.resolved.json"
    export.write_text(stackconf.dumps(stackconf.nix_export(settings)), encoding="utf-8")
    proc = nix_settings({}, settings=settings, export=export)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["nginx"]["listen"]["port"] == 8181


def test_the_flake_refuses_a_stale_export(flake_copy):
    edit(flake_copy / "stack/settings.toml", "nginx = 8080", "nginx = 8181")
    proc = flake_check(flake_copy)
    assert proc.returncode != 0
    assert "stack/settings.resolved.json was made from another version of" in proc.stderr
