"""The NixOS module configures each service as the plain-host stack does: compared with
what einvoice_stack renders today (odoo.conf, nginx.conf, prometheus.yml, grafana.ini,
redis.conf, PostgreSQL's settings and pg_hba.conf, the supervisord programs), setting by
setting, for the repository's settings and for changed ones.

Values that are paths of one deployment (state directories, secret files, store paths)
are compared by presence only; the few deliberate differences are listed with why."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import plain_host as ph
import pytest
from nix_harness import REPO, edit, nix_eval_json

CONFIG = "nixosConfigurations.staging.config"
APPLY = """c: let
  s = c.systemd.services;
  unit = name: {
    ExecStart = s.${name}.serviceConfig.ExecStart or null;
    environment = s.${name}.environment;
  };
  n = c.services.nginx;
in {
  resolved = c.services.l10n-cr-einvoice-staging.resolved;
  domain = c.services.l10n-cr-einvoice-staging.domain;
  odoo = c.services.odoo.settings.options;
  odooStartPre = map (x: x.text or "") s.odoo.serviceConfig.ExecStartPre;
  units = builtins.filter (name: s.${name}.enable) (builtins.attrNames s);
  unitConfig = {
    odoo = unit "odoo";
    simulator = unit "l10n-cr-einvoice-simulator";
    sink = unit "l10n-cr-einvoice-smtp-sink";
  };
  nginx = {
    inherit (n) recommendedProxySettings recommendedOptimisation serverTokens
      clientMaxBodySize commonHttpConfig appendHttpConfig;
    vhost = let v = n.virtualHosts.${c.services.l10n-cr-einvoice-staging.domain}; in {
      inherit (v) serverName extraConfig;
      locations = builtins.mapAttrs (k: l: {
        inherit (l) proxyPass proxyWebsockets extraConfig recommendedProxySettings;
        return = l.return;
      }) v.locations;
    };
  };
  prometheus = {
    global = c.services.prometheus.globalConfig;
    scrape = c.services.prometheus.scrapeConfigs;
  };
  grafana = c.services.grafana.settings;
  grafanaProvision = {
    datasources = c.services.grafana.provision.datasources.settings.datasources;
    providers = c.services.grafana.provision.dashboards.settings.providers;
  };
  redis = { inherit (c.services.redis.servers.l10n-cr-einvoice) bind port save appendOnly settings; };
  postgresql = { inherit (c.services.postgresql) settings authentication; };
}"""


@pytest.fixture(scope="module")
def repo_case(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plain")
    settings_file = REPO / "stack" / "settings.toml"
    return nix_eval_json(CONFIG, apply=APPLY), ph.settings(settings_file), ph.layout(tmp, settings_file)


@pytest.fixture(autouse=True)
def everything_installed(monkeypatch):
    ph.EverythingInstalled(monkeypatch)


# ---------------------------------------------------------------- Odoo
# odoo.conf keys whose values are paths or secrets of each deployment
ODOO_DEPLOYMENT_KEYS = {"addons_path", "data_dir", "admin_passwd", "db_password",
                        "l10n_cr_einvoice_schema_dir", "l10n_cr_einvoice_metrics_token_file"}


def nix_odoo_conf(nix) -> dict[str, str]:
    """odoo.cfg as the unit's ExecStartPre renders it: the store file's options plus the
    keys written from credentials at start."""
    conf = {key: ph.odoo_value(value) for key, value in nix["odoo"].items()}
    for script in nix["odooStartPre"]:
        for line in script.splitlines():
            if line.strip().startswith("printf '") and " = %s" in line:
                conf[line.strip()[len("printf '"):].split(" = ", 1)[0]] = "<run time>"
    return conf


def check_odoo(nix, settings, lay):
    plain = ph.odoo_conf(settings, lay)
    nixos = nix_odoo_conf(nix)
    assert set(nixos) == set(plain), (
        f"only in the NixOS module: {sorted(set(nixos) - set(plain))}; "
        f"only in scripts/stack: {sorted(set(plain) - set(nixos))}")
    for key in sorted(set(plain) - ODOO_DEPLOYMENT_KEYS):
        assert nixos[key] == plain[key], f"odoo.conf {key}: NixOS {nixos[key]!r}, plain host {plain[key]!r}"
    # the XSDs: the schemas package, for odoo.conf and for the process (as scripts/stack)
    schemas = nix["odoo"]["l10n_cr_einvoice_schema_dir"]
    assert schemas.startswith("/nix/store/") and schemas.endswith("-hacienda-cr-schemas")
    assert nix["unitConfig"]["odoo"]["environment"]["HACIENDA_XSD_DIR"] == schemas


# ---------------------------------------------------------------- nginx
# Directives nixpkgs' module adds that scripts/stack's nginx.conf does not have, and why
# they change nothing that matters: X-Forwarded-Server is one more header Odoo ignores.
NIXOS_EXTRA_LOCATION_DIRECTIVES = {"proxy_set_header X-Forwarded-Server $host;"}


def _http_normalised(directives: list[str]) -> set[str]:
    """http-level directives without this host's paths: proxy_cache_path's and
    access_log's file, temp paths, the mime.types file."""
    out = set()
    for d in directives:
        name, _, rest = d.partition(" ")
        if name.endswith("_temp_path"):
            continue
        if name in ("proxy_cache_path", "access_log"):
            rest = rest.split(" ", 1)[1]
        if name == "include" and rest.endswith("mime.types;"):
            rest = "mime.types;"
        out.add(f"{name} {rest}")
    return out


def nixos_http(nginx: dict) -> list[str]:
    # nixos/modules/services/web-servers/nginx/default.nix: commonHttpConfig (mime types,
    # default_type), recommendedOptimisation, server_tokens, then the options' text
    out = ["include mime.types;", "default_type application/octet-stream;",
           f"server_tokens {'on' if nginx['serverTokens'] else 'off'};",
           f"client_max_body_size {nginx['clientMaxBodySize']};"]
    if nginx["recommendedOptimisation"]:
        out += ["sendfile on;", "tcp_nopush on;", "tcp_nodelay on;", "keepalive_timeout 65;"]
    return out + ph.lines(nginx["commonHttpConfig"]) + ph.lines(nginx["appendHttpConfig"])


def check_nginx(nix, settings, lay):
    plain = ph.plain_nginx(settings, lay)
    nginx = nix["nginx"]
    # http level: everything scripts/stack sets there, the NixOS module sets too
    missing = _http_normalised(plain["http"]) - _http_normalised(nixos_http(nginx))
    assert not missing, f"http-level directives of scripts/stack missing from the NixOS nginx: {missing}"
    # server level: the same timeouts, security headers and hidden upstream headers
    vhost = nginx["vhost"]
    server = [d for d in plain["server"] if not d.startswith(("listen ", "server_name ", "client_max_body_size "))]
    assert sorted(ph.lines(vhost["extraConfig"])) == sorted(server)
    assert f"server_name {vhost['serverName']};" in plain["server"]
    assert f"client_max_body_size {nginx['clientMaxBodySize']};" in plain["server"]
    # every location, directive by directive
    plain_locations = {key.removeprefix("server/location "): value for key, value in plain.items()
                       if key.startswith("server/location ")}
    assert set(vhost["locations"]) == set(plain_locations)
    for key, directives in plain_locations.items():
        got = ph.nixos_location(vhost["locations"][key])
        assert not set(directives) - set(got), f"location {key}: NixOS lacks {set(directives) - set(got)}"
        extra = set(got) - set(directives) - NIXOS_EXTRA_LOCATION_DIRECTIVES
        assert not extra, f"location {key}: only the NixOS module has {extra}"


# ---------------------------------------------------------------- Prometheus, Grafana
def check_prometheus(nix, settings, lay):
    text = ph.render_monitoring.render_prometheus(settings, lay)
    plain = json.loads(text[text.index("{"):])
    assert nix["prometheus"]["global"]["scrape_interval"] == plain["global"]["scrape_interval"]
    assert [j["job_name"] for j in nix["prometheus"]["scrape"]] == [j["job_name"] for j in plain["scrape_configs"]]
    for got, want in zip(nix["prometheus"]["scrape"], plain["scrape_configs"], strict=True):
        name = want["job_name"]
        assert got["scrape_interval"] == want["scrape_interval"], name
        assert got["metrics_path"] == want["metrics_path"], name
        assert [{"targets": sc["targets"], "labels": sc["labels"]} for sc in got["static_configs"]] == \
            want["static_configs"], name
        if "authorization" in want:
            assert got["authorization"]["type"] == want["authorization"]["type"], name
            assert got["authorization"]["credentials_file"], name
        else:
            assert got["authorization"] is None, name


def check_grafana(nix, settings, lay):
    # provisioning: the same datasource, the dashboards provider with the same rules
    files = ph.render_monitoring.render_grafana_provisioning(settings, lay)
    [datasource] = json.loads(files["datasources/prometheus.yaml"])["datasources"]
    [nix_datasource] = nix["grafanaProvision"]["datasources"]
    assert {k: nix_datasource.get(k) for k in datasource} == datasource
    [provider] = json.loads(files["dashboards/l10n-cr-einvoice.yaml"])["providers"]
    [nix_provider] = nix["grafanaProvision"]["providers"]
    assert {k: nix_provider.get(k) for k in provider if k != "options"} == \
        {k: v for k, v in provider.items() if k != "options"}
    assert nix_provider["options"]["path"].endswith("/" + settings["grafana"]["dashboards_dir"])

    plain = ph.grafana_ini(settings, lay)
    got = nix["grafana"]
    for section, values in plain.items():
        if section == "paths":  # this host's directories
            continue
        for key, value in values.items():
            nix_value = got.get(section, {}).get(key)
            assert nix_value is not None, f"grafana.ini [{section}] {key} is not set by the NixOS module"
            if key in ("admin_password", "secret_key"):  # files of each deployment
                assert value.startswith("$__file{") and str(nix_value).startswith("$__file{"), key
            else:
                assert ph.odoo_value(nix_value).lower() == value.lower(), f"grafana.ini [{section}] {key}"


# ---------------------------------------------------------------- Redis, PostgreSQL
def check_data_services(nix, settings, lay):
    redis, r = ph.redis_conf(settings, lay), nix["redis"]
    assert (r["bind"], str(r["port"])) == (redis["bind"], redis["port"])
    assert r["settings"]["maxmemory"] == redis["maxmemory"]
    assert r["settings"]["maxmemory-policy"] == redis["maxmemory-policy"]
    assert r["settings"]["protected-mode"] == redis["protected-mode"]
    # a cache: neither deployment persists it
    assert (redis["save"], redis["appendonly"]) == ('""', "no")
    assert (r["save"], r["appendOnly"]) == ([], False)

    pg, p = ph.postgresql_conf(settings, lay), nix["postgresql"]["settings"]
    for key in ("port", "listen_addresses", "shared_buffers", "timezone"):
        assert str(p[key]) == pg[key], f"postgresql {key}"
    # max_connections: PostgreSQL's default (100) on NixOS
    assert str(p.get("max_connections", 100)) == pg["max_connections"]
    nix_hba = ph.lines(nix["postgresql"]["authentication"])
    for line in ph.pg_hba(settings):
        assert line in nix_hba, f"pg_hba.conf: {line!r} missing from services.postgresql.authentication"


# ---------------------------------------------------------------- programs and units
def check_programs(nix, settings, lay):
    progs = ph.stack_programs(settings, lay)
    units = set(nix["units"])
    for name in progs:
        assert ph.PROGRAM_UNITS[name] in units, f"supervisord program {name}: no systemd unit {ph.PROGRAM_UNITS[name]}"
    project_units = {u for u in units if u.startswith("l10n-cr-einvoice")} | {"odoo", "nginx", "grafana"}
    unmatched = project_units - set(ph.PROGRAM_UNITS.values()) - ph.NIXOS_ONLY_UNITS
    assert not unmatched, f"units with no supervisord program and no reason listed: {unmatched}"

    # the simulator: the same command line, paths aside
    plain = ph.options(progs["simulator"].command[2:])
    got = ph.options(ph.split(nix["unitConfig"]["simulator"]["ExecStart"])[2:])
    assert set(got) == set(plain), f"simulator options: {set(got) ^ set(plain)}"
    for key in ("--host", "--port"):
        assert got[key] == plain[key], key
    assert float(got["--processing-delay"]) == float(plain["--processing-delay"])
    assert got["--xsd-dir"] == nix["odoo"]["l10n_cr_einvoice_schema_dir"]
    assert "HACIENDA_XSD_DIR" in progs["simulator"].environment
    assert nix["unitConfig"]["simulator"]["environment"]["HACIENDA_XSD_DIR"] == got["--xsd-dir"]

    # the SMTP sink: einvoice_stack's own module, same options, where Odoo sends mail
    plain = progs["smtp-sink"].command
    got = ph.split(nix["unitConfig"]["sink"]["ExecStart"])
    assert got[1:3] == plain[1:3] == ["-m", "einvoice_stack.smtp_sink"]
    got_opts, plain_opts = ph.options(got[3:]), ph.options(plain[3:])
    assert set(got_opts) == set(plain_opts)
    assert (got_opts["--host"], got_opts["--port"]) == (plain_opts["--host"], plain_opts["--port"])
    assert (nix["odoo"]["smtp_server"], str(nix["odoo"]["smtp_port"])) == (got_opts["--host"], got_opts["--port"])
    assert "einvoice_stack.smtp_sink" in nix["unitConfig"]["sink"]["ExecStart"]


CHECKS = [check_odoo, check_nginx, check_prometheus, check_grafana, check_data_services, check_programs]


@pytest.mark.parametrize("check", CHECKS, ids=[c.__name__.removeprefix("check_") for c in CHECKS])
def test_the_module_configures_what_scripts_stack_renders(repo_case, check):
    check(*repo_case)


def test_still_the_same_after_changing_the_settings(flake_copy, tmp_path):
    """Moved ports, another Redis policy and headers, a new static route, a slower
    simulator: both deployments follow, and still agree."""
    settings_file = flake_copy / "stack/settings.toml"
    edit(settings_file, "nginx = 8080", "nginx = 8181")
    edit(settings_file, "smtp_sink = 2525", "smtp_sink = 2626")
    edit(settings_file, 'maxmemory_policy = "allkeys-lru"', 'maxmemory_policy = "volatile-lru"')
    edit(settings_file, 'X-Frame-Options = "SAMEORIGIN"', 'X-Frame-Options = "DENY"')
    edit(settings_file, "simulator_processing_delay = 1.0", "simulator_processing_delay = 2.5")
    settings_file.write_text(settings_file.read_text() + '\n[[nginx.locations]]\npath = "/web/static/"\n'
                             'match = "prefix"\naction = "static"\nupstream = "odoo"\n')
    shutil.copytree(REPO / "src", flake_copy / "src", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    nix = nix_eval_json(CONFIG, flake_dir=flake_copy, apply=APPLY)
    settings = ph.settings(settings_file)
    lay = ph.layout(tmp_path, settings_file)
    assert settings["ports"]["smtp_sink"] == 2626
    for check in CHECKS:
        check(nix, settings, lay)


def test_a_drift_is_caught(repo_case):
    """The comparison is not vacuous: a NixOS location missing a directive fails it."""
    nix, settings, lay = repo_case
    static = next(k for k, v in nix["nginx"]["vhost"]["locations"].items() if "proxy_cache " in v["extraConfig"])
    drifted = {**nix, "nginx": {**nix["nginx"], "vhost": {**nix["nginx"]["vhost"], "locations": {
        **nix["nginx"]["vhost"]["locations"],
        static: {**nix["nginx"]["vhost"]["locations"][static],
                 "extraConfig": nix["nginx"]["vhost"]["locations"][static]["extraConfig"].replace(
                     "proxy_cache_lock on;", "")}}}}}
    with pytest.raises(AssertionError, match="proxy_cache_lock"):
        check_nginx(drifted, settings, lay)
    odoo = {**nix, "odoo": {**nix["odoo"], "with_demo": True}}
    with pytest.raises(AssertionError, match="with_demo"):
        check_odoo(odoo, settings, lay)


NGINX = "/usr/sbin/nginx"


def nixos_nginx_conf(nix, tmp) -> str:
    """nginx.conf as nixpkgs' module would assemble it from the module's options (the
    parts this stack uses; nixos/modules/services/web-servers/nginx/default.nix), with
    the log and cache paths moved under `tmp`."""
    nginx, vhost, r = nix["nginx"], nix["nginx"]["vhost"], nix["resolved"]["nginx"]
    upstreams = "".join(f"upstream {name} {{ {''.join(f'server {s}; ' for s in servers)}}}\n"
                        for name, servers in r["upstreams"].items())
    by_priority = sorted(vhost["locations"].items(), key=lambda kv: next(
        loc["priority"] for loc in r["locations"] if loc["key"] == kv[0]))
    locations = "".join(f"location {key} {{\n" + "\n".join(ph.nixos_location(loc)) + "\n}\n"
                        for key, loc in by_priority)
    text = f"""
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{}}
http {{
include /etc/nginx/mime.types;
default_type application/octet-stream;
{upstreams}
{'sendfile on; tcp_nopush on; tcp_nodelay on; keepalive_timeout 65;' if nginx['recommendedOptimisation'] else ''}
{'proxy_redirect off; proxy_http_version 1.1; proxy_set_header "Connection" "";' if nginx['recommendedProxySettings'] else ''}
map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
client_max_body_size {nginx['clientMaxBodySize']};
server_tokens {'on' if nginx['serverTokens'] else 'off'};
{nginx['commonHttpConfig']}
server {{
listen {r['listen']['addr']}:{r['listen']['port']} default_server;
server_name {vhost['serverName']};
{locations}
{vhost['extraConfig']}
}}
{nginx['appendHttpConfig']}
}}
"""
    for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        text = text.replace("http {\n", f"http {{\n{temp}_temp_path {tmp}/{temp};\n", 1)
    return text.replace("/var/log/nginx/", f"{tmp}/").replace("/var/cache/nginx/", f"{tmp}/cache/")


def test_nginx_accepts_the_modules_configuration(repo_case, tmp_path):
    """`nginx -t` on what the module's options make: every directive it writes is valid
    where it is written (add_header in a cached location, the `timed` log format...)."""
    assert Path(NGINX).is_file(), f"{NGINX} is missing (Debian package nginx; scripts/bootstrap installs it)"
    (tmp_path / "cache").mkdir()  # /var/cache/nginx: the unit's CacheDirectory
    conf = tmp_path / "nginx.conf"
    conf.write_text(nixos_nginx_conf(repo_case[0], tmp_path))
    proc = subprocess.run([NGINX, "-t", "-c", str(conf), "-e", str(tmp_path / "error.log")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr + "\n" + conf.read_text()


def _without_nulls(value):
    # nixos/modules/services/monitoring/prometheus/default.nix (filterValidPrometheus):
    # unset (null) options are left out of prometheus.yml
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def test_promtool_accepts_the_modules_scrape_configs(repo_case, tmp_path):
    """`promtool check config` on prometheus.yml as the module's options make it (the
    bearer token file moved to a temporary one)."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool (Debian package prometheus) is missing"
    nix = repo_case[0]
    token = tmp_path / "metrics-token"
    token.write_text("token\n")
    document = _without_nulls({"global": nix["prometheus"]["global"],
                               "scrape_configs": nix["prometheus"]["scrape"]})
    for job in document["scrape_configs"]:
        if "authorization" in job:
            job["authorization"]["credentials_file"] = str(token)
    conf = tmp_path / "prometheus.yml"
    conf.write_text(json.dumps(document))
    proc = subprocess.run([promtool, "check", "config", str(conf)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_oci_simulator_image_runs_the_plain_hosts_simulator(repo_case):
    """packages.oci-simulator: the simulator's options as scripts/stack passes them."""
    _, settings, lay = repo_case
    cmd = nix_eval_json("packages.x86_64-linux.oci-simulator.config.Cmd")
    plain = ph.options(ph.stack_programs(settings, lay)["simulator"].command[2:])
    got = ph.options(cmd[1:])
    assert set(got) == set(plain), f"simulator options: {set(got) ^ set(plain)}"
    assert got["--port"] == plain["--port"]
    assert float(got["--processing-delay"]) == float(plain["--processing-delay"])
    assert got["--xsd-dir"].endswith("-hacienda-cr-schemas")
