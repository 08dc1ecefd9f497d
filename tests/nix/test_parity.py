"""Check 4: the NixOS module configures the same stack the plain-host scripts render.

`python3 stack/stackconf.py --json` (what scripts/ use) must equal the module's
`resolved` settings, and the upstream NixOS options the module sets (nginx locations,
Prometheus scrape configs, Odoo options, ...) must say what `resolved` says."""

import json
import shutil
import subprocess
import sys

import pytest
from nix_harness import NIXPKGS_LIB, REPO, edit, nix_eval_json

CONFIG = "nixosConfigurations.staging.config"
PROJECT = "services.l10n-cr-einvoice-staging"
# The upstream options the parity covers, fetched in one evaluation.
APPLY = """c: {
  resolved = c.services.l10n-cr-einvoice-staging.resolved;
  domain = c.services.l10n-cr-einvoice-staging.domain;
  odoo = c.services.odoo.settings.options;
  odooAddons = map (a: a.name) c.services.odoo.addons;
  nginx = {
    inherit (c.services.nginx) clientMaxBodySize appendHttpConfig;
    upstreams = builtins.mapAttrs (n: u: builtins.attrNames u.servers) c.services.nginx.upstreams;
    vhosts = builtins.mapAttrs (n: v: {
      inherit (v) serverName listen extraConfig;
      locations = builtins.mapAttrs (k: l: {
        inherit (l) proxyPass proxyWebsockets priority extraConfig;
        return = l.return;
      }) v.locations;
    }) c.services.nginx.virtualHosts;
  };
  prometheus = {
    inherit (c.services.prometheus) port listenAddress retentionTime;
    global = c.services.prometheus.globalConfig.scrape_interval;
    scrape = c.services.prometheus.scrapeConfigs;
    credentials = c.systemd.services.prometheus.serviceConfig.LoadCredential;
  };
  exporters = builtins.mapAttrs (n: e: { inherit (e) enable port; })
    c.services.prometheus.exporters;
  grafana = {
    inherit (c.services.grafana.settings.server) http_addr http_port;
    datasources = c.services.grafana.provision.datasources.settings.datasources;
    providers = map (p: p.options.path) c.services.grafana.provision.dashboards.settings.providers;
    rulesPath = c.services.grafana.provision.alerting.rules.path;
  };
  redis = { inherit (c.services.redis.servers.l10n-cr-einvoice) port bind settings; };
  postgresql = { inherit (c.services.postgresql.settings) port; };
  simulator = c.systemd.services.l10n-cr-einvoice-simulator.serviceConfig.ExecStart;
}"""


def same(a, b, path="$"):
    """Deep equality where ints and floats compare by value (Nix prints 1.0 as 1) but a
    bool never equals a number. Returns the first difference, or None."""
    if isinstance(a, bool) or isinstance(b, bool):
        return None if a is b else f"{path}: {a!r} != {b!r}"
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return None if a == b else f"{path}: {a!r} != {b!r}"
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: only on one side"
            diff = same(a[key], b[key], f"{path}.{key}")
            if diff:
                return diff
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            diff = same(x, y, f"{path}[{i}]")
            if diff:
                return diff
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def plain_host(repo):
    out = subprocess.run([sys.executable, "-m", "einvoice_stack.stackconf", "--json", "--settings",
                          str(repo / "stack" / "settings.toml")],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def check_upstream_options_follow_resolved(nix):
    r = nix["resolved"]
    # Odoo: every resolved option, verbatim; besides them only deployment-specific keys
    for key, value in r["odoo"]["options"].items():
        assert same(nix["odoo"].get(key), value) is None, f"services.odoo.settings.options.{key}"
    extra = set(nix["odoo"]) - set(r["odoo"]["options"])
    assert extra == {"data_dir", "addons_path", "l10n_cr_einvoice_schema_dir"}, extra
    assert nix["odooAddons"] == ["l10n-cr-einvoice-addons"]
    # nginx: one vhost, every location with the behaviour resolved for it
    vhost = nix["nginx"]["vhosts"][nix["domain"]]
    assert vhost["listen"] == [{"addr": r["nginx"]["listen"]["addr"],
                                "port": r["nginx"]["listen"]["port"], "ssl": False,
                                "proxyProtocol": False, "extraParameters": []}]
    assert set(vhost["locations"]) == {loc["key"] for loc in r["nginx"]["locations"]}
    for loc in r["nginx"]["locations"]:
        got = vhost["locations"][loc["key"]]
        assert got["proxyPass"] == loc["proxy_pass"], loc["key"]
        assert got["proxyWebsockets"] == loc["websocket"], loc["key"]
        assert got["priority"] == loc["priority"], loc["key"]
        assert got["return"] == loc["return"], loc["key"]
        if loc["cache_valid"]:
            assert f"proxy_cache_valid 200 304 {loc['cache_valid']};" in got["extraConfig"]
    for name, value in r["nginx"]["security_headers"].items():
        assert f'add_header {name} "{value}" always;' in vhost["extraConfig"]
    assert nix["nginx"]["clientMaxBodySize"] == r["nginx"]["client_max_body_size"]
    assert "gzip_types " + " ".join(r["nginx"]["gzip_types"]) + ";" in nix["nginx"]["appendHttpConfig"]
    assert nix["nginx"]["upstreams"] == r["nginx"]["upstreams"]
    # Prometheus: scrape configs as Prometheus will see them
    p = nix["prometheus"]
    assert (p["port"], p["listenAddress"]) == (r["prometheus"]["listen"]["port"],
                                               r["prometheus"]["listen"]["addr"])
    assert p["retentionTime"] == r["prometheus"]["retention"]
    assert p["global"] == r["prometheus"]["global"]["scrape_interval"]
    assert len(p["scrape"]) == len(r["prometheus"]["scrape_configs"])
    for got, want in zip(p["scrape"], r["prometheus"]["scrape_configs"], strict=True):
        assert got["job_name"] == want["job_name"]
        assert got["scrape_interval"] == want["scrape_interval"]
        assert got["metrics_path"] == want["metrics_path"]
        assert [sc["targets"] for sc in got["static_configs"]] == [
            sc["targets"] for sc in want["static_configs"]]
        if want["bearer_token_secret"]:
            assert got["authorization"]["type"] == "Bearer"
            assert got["authorization"]["credentials_file"].startswith(
                "/run/credentials/prometheus.service/")
        else:
            assert got["authorization"] is None
    assert any(c.startswith("metrics-token:") for c in p["credentials"])
    # every exporter a scrape job expects runs, on the port the job scrapes
    for job, exporter in [("node", "node"), ("postgres", "postgres"), ("redis", "redis"),
                          ("nginx", "nginx")]:
        want = next(j for j in r["prometheus"]["scrape_configs"] if j["job_name"] == job)
        assert nix["exporters"][exporter]["enable"], exporter
        port = int(want["static_configs"][0]["targets"][0].rsplit(":", 1)[1])
        assert nix["exporters"][exporter]["port"] == port
    # Grafana: datasource and provisioned files
    g = nix["grafana"]
    assert (g["http_addr"], g["http_port"]) == (r["grafana"]["listen"]["addr"],
                                                r["grafana"]["listen"]["port"])
    assert g["datasources"] == [r["grafana"]["datasource"] | {
        "editable": False, "jsonData": None, "secureJsonData": None}]
    assert len(g["providers"]) == 1
    assert g["providers"][0].endswith("/" + r["grafana"]["dashboards_dir"])
    if r["grafana"]["alert_rules"]:
        assert g["rulesPath"].endswith("/" + r["grafana"]["alerting_dir"])
    else:
        assert g["rulesPath"] is None
    # Redis, PostgreSQL, simulator ports and settings
    assert nix["redis"]["port"] == r["redis"]["listen"]["port"]
    assert nix["redis"]["bind"] == r["redis"]["listen"]["addr"]
    assert nix["redis"]["settings"]["maxmemory"] == r["redis"]["maxmemory"]
    assert nix["redis"]["settings"]["maxmemory-policy"] == r["redis"]["maxmemory_policy"]
    assert nix["postgresql"]["port"] == r["postgresql"]["listen"]["port"]
    assert f"--port {r['simulator']['listen']['port']}" in nix["simulator"]
    assert f"--host {r['simulator']['listen']['addr']}" in nix["simulator"]


def test_resolved_settings_equal_the_plain_host_ones():
    nix = nix_eval_json(CONFIG, apply=APPLY)
    diff = same(nix["resolved"], plain_host(REPO))
    assert diff is None, f"NixOS module and stack/stackconf.py disagree at {diff}"
    check_upstream_options_follow_resolved(nix)


def test_parity_follows_a_changed_settings_file(flake_copy):
    """Change the shared settings (and add a dashboard and an alert rule): both sides
    must still agree, and the NixOS options must follow."""
    settings = flake_copy / "stack/settings.toml"
    edit(settings, "nginx = 8080", "nginx = 8181")
    edit(settings, 'scrape_interval = "30s"', 'scrape_interval = "20s"')
    edit(settings, "workers = 2", "workers = 3")
    settings.write_text(settings.read_text() + '\n[[nginx.locations]]\npath = "/web/static/"\n'
                        'match = "prefix"\naction = "static"\nupstream = "odoo"\n')
    (flake_copy / "stack/grafana/dashboards/invoices.json").write_text("{}")
    (flake_copy / "stack/grafana/alerting/rules.yaml").write_text("apiVersion: 1\n")
    shutil.copytree(REPO / "src", flake_copy / "src", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    nix = nix_eval_json(CONFIG, flake_dir=flake_copy, apply=APPLY)
    python = plain_host(flake_copy)
    assert python["nginx"]["listen"]["port"] == 8181
    assert "invoices.json" in python["grafana"]["dashboards"]
    assert "rules.yaml" in python["grafana"]["alert_rules"]
    diff = same(nix["resolved"], python)
    assert diff is None, f"NixOS module and stack/stackconf.py disagree at {diff}"
    check_upstream_options_follow_resolved(nix)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("nginx = 8080", 'nginx = "8080"', "ports.nginx"),
        ('action = "deny"', 'action = "block"', "nginx.locations[4].action"),
        ('port = "exporter_node"', 'port = "exporter_nodes"', "prometheus.scrape[3].port"),
        ('environment = "simulator"', 'environment = "staging"', "hacienda.environment"),
        ("workers = 2", "workers = true", "odoo.workers"),
        # Odoo's mail goes to the sink in both deployments: its port is required
        ("smtp_sink = 2525\n", "", "ports.smtp_sink is missing"),
    ],
)
def test_both_sides_reject_bad_settings_naming_the_field(flake_copy, old, new, message):
    from einvoice_stack import stackconf

    settings = flake_copy / "stack/settings.toml"
    edit(settings, old, new)
    with pytest.raises(stackconf.SettingsError, match=message.replace("[", r"\[")):
        stackconf.load(settings)
    proc = subprocess.run(
        ["nix-instantiate", "--eval", "--strict", "--json", "-E",
         f"import {flake_copy}/nix/lib/resolve.nix {{ lib = import {NIXPKGS_LIB}/lib; "
         f"settingsFile = {settings}; repoRoot = {flake_copy}; }}"],
        capture_output=True, text=True)
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr
