"""What the NixOS deployments get from the upstream modules, as the eval harness reproduces
them (nix/eval-harness, each file naming the nixpkgs source it follows; docs/nix.md's
table): the configuration nginx and Prometheus would run with, checked with the real
programs where this machine has them, and the units and options of every machine of the
split VM test."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from nix_harness import REPO, edit, flake_check, nix_eval_json

STAGING = "nixosConfigurations.staging.config"
SPLIT = "checks.x86_64-linux.split.nodes"
SETTINGS = json.loads((REPO / "stack" / "settings.resolved.json").read_text())["resolved"]
PORTS = SETTINGS["ports"]


# ---------------------------------------------------------------- nginx
def staging_nginx() -> dict:
    return nix_eval_json(STAGING, apply="""c: {
      conf = c.system.build.harness.nginxConf;
      scrapeUri = c.services.prometheus.exporters.nginx.scrapeUri;
      resolved = c.services.l10n-cr-einvoice-staging.resolved.nginx;
    }""")


def runnable(conf: str, work: Path) -> str:
    """The harness's nginx.conf with the Nix store's and /var's paths moved into `work`."""
    for sub in ("log", "cache", "run", "temp"):
        (work / sub).mkdir(exist_ok=True)
    conf = re.sub(r"/nix/store/[^/]+-mailcap[^/]*/etc/nginx/mime.types", "/etc/nginx/mime.types", conf)
    conf = conf.replace("/var/log/nginx", str(work / "log")).replace("/var/cache/nginx", str(work / "cache"))
    conf = conf.replace("/run/nginx/nginx.pid", str(work / "run" / "nginx.pid"))
    assert "/nix/store" not in conf, "a store path left in nginx.conf: " + re.findall(r"/nix/store/\S+", conf)[0]
    return conf.replace("http {", f"http {{\n  client_body_temp_path {work}/temp/body;\n"
                        f"  proxy_temp_path {work}/temp/proxy;\n", 1)


# Run inside a private network namespace (its own loopback: ports 80 and 8080 are free
# there whatever runs on this machine): start nginx, fetch URLs, print what came back.
PROBE = textwrap.dedent("""
    import json, subprocess, sys, time, urllib.error, urllib.request
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    nginx = subprocess.Popen(["nginx", "-c", sys.argv[1], "-e", sys.argv[2]])
    results = {}
    try:
        for url in sys.argv[3:]:
            deadline = time.monotonic() + 10
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        results[url] = [r.status, r.read().decode(), dict(r.headers)]
                    break
                except urllib.error.HTTPError as e:
                    results[url] = [e.code, e.read().decode(), dict(e.headers)]
                    break
                except OSError as e:
                    if time.monotonic() > deadline:
                        results[url] = [None, str(e), {}]
                        break
                    time.sleep(0.2)
    finally:
        nginx.terminate()
        nginx.wait(10)
    print(json.dumps(results))
""")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """URL -> [status, body, headers] from Debian's nginx running the staging machine's
    nginx.conf as upstream's module writes it."""
    assert shutil.which("nginx") and shutil.which("unshare"), "nginx and unshare (util-linux) are needed"
    nginx = staging_nginx()
    work = tmp_path_factory.mktemp("nginx")
    conf = work / "nginx.conf"
    conf.write_text(runnable(nginx["conf"], work))
    check = subprocess.run(["nginx", "-t", "-c", str(conf), "-e", str(work / "log" / "error.log")],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    listen = nginx["resolved"]["listen"]
    app = f"http://{listen['addr']}:{listen['port']}"
    urls = [nginx["scrapeUri"], f"{app}/health", f"{app}/metrics", f"{app}/web/database/manager",
            f"{app}/nginx_status"]
    proc = subprocess.run(["unshare", "--net", "python3", "-c", PROBE, str(conf), str(work / "log" / "error.log"),
                           *urls], capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return nginx, json.loads(proc.stdout.splitlines()[-1])


def test_the_nginx_exporter_finds_the_status_page_where_it_scrapes(served):
    """upstream's statusPage merges /nginx_status into virtualHosts.localhost, which
    listens on port 80: the exporter's scrapeUri must reach it there (with the stack's
    vhost named `localhost`, the status page went to the vhost's own port instead)."""
    nginx, results = served
    status, body, _ = results[nginx["scrapeUri"]]
    assert status == 200 and "Active connections" in body, (nginx["scrapeUri"], status, body)


def test_the_public_vhost_serves_the_settings_routes(served):
    nginx, results = served
    listen = nginx["resolved"]["listen"]
    app = f"http://{listen['addr']}:{listen['port']}"
    status, body, headers = results[f"{app}/health"]
    assert (status, body.strip()) == (200, "ok")
    for name, value in nginx["resolved"]["security_headers"].items():
        assert headers.get(name) == value, name
    assert results[f"{app}/metrics"][0] == 404
    assert results[f"{app}/web/database/manager"][0] == 404
    # the status page is not on the public port
    assert results[f"{app}/nginx_status"][0] != 200


# ---------------------------------------------------------------- Prometheus
def test_promtool_accepts_the_prometheus_yml_upstream_writes(tmp_path):
    promtool = shutil.which("promtool")
    assert promtool, "promtool (Debian package prometheus) is missing"
    for attr in (STAGING, f"{SPLIT}.proxy"):
        yml = nix_eval_json(attr, apply="c: c.system.build.harness.prometheusYml")
        path = tmp_path / "prometheus.yml"
        path.write_text(yml)
        proc = subprocess.run([promtool, "check", "config", "--syntax-only", str(path)],
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        jobs = {job["job_name"]: job for job in json.loads(yml)["scrape_configs"]}
        assert set(jobs) == {job["job_name"] for job in SETTINGS["prometheus"]["scrape_configs"]}
        assert jobs["odoo"]["authorization"]["credentials_file"].startswith("/run/credentials/prometheus.service/")


# ---------------------------------------------------------------- the split machines
@pytest.fixture(scope="module")
def split():
    return nix_eval_json(SPLIT, apply="""ns: builtins.mapAttrs (n: c: {
      firewall = { inherit (c.networking.firewall) allowedTCPPorts extraCommands; };
      stack = if c.services ? l10n-cr-einvoice-staging then {
        inherit (c.services.l10n-cr-einvoice-staging) listenAddress publicListenAddress allowedNetworks secrets;
      } else null;
      redis = c.services.redis.servers.l10n-cr-einvoice or null;
      units = builtins.mapAttrs (u: s: { inherit (s) serviceConfig unitConfig; })
        (builtins.intersectAttrs {
          odoo = 1; redis-l10n-cr-einvoice = 1; l10n-cr-einvoice-simulator = 1;
          prometheus-redis-exporter = 1; prometheus-node-exporter = 1;
        } c.systemd.services);
      address = c.networking.primaryIPAddress;
    }) ns""")


def test_the_odoo_machine_has_a_psql_and_retries_without_a_start_limit(split):
    """The first start reads the modules with psql where PostgreSQL does not run (upstream
    defines services.postgresql.package only inside `mkIf cfg.enable`), and a failed start
    is retried for as long as it takes (systemd's default start limit, 5 in 10 s, would
    leave Odoo failed for good)."""
    odoo = split["app"]["units"]["odoo"]
    pre = " ".join(odoo["serviceConfig"]["ExecStartPre"])
    assert "odoo-first-start" in pre
    assert odoo["unitConfig"]["StartLimitIntervalSec"] == 0
    assert odoo["serviceConfig"]["Restart"] == "on-failure"
    assert odoo["serviceConfig"]["RestartSec"]
    # Odoo's main process killed from outside: systemd ends the unit's other processes before
    # the restart, so no orphaned worker keeps Odoo's ports (issue 17).
    assert odoo["serviceConfig"]["KillMode"] == "control-group"


def test_only_nginx_is_open_to_everyone(split):
    for node, data in split.items():
        assert data["firewall"]["allowedTCPPorts"] == ([PORTS["nginx"]] if node == "proxy" else []), node


def test_every_other_port_is_open_to_the_private_network_only(split):
    listened = {
        "app": ["odoo", "odoo_gevent", "simulator", "exporter_node"],
        "db": ["postgresql", "redis", "exporter_postgres", "exporter_redis", "exporter_node"],
        "proxy": ["prometheus", "grafana", "exporter_nginx", "exporter_node"],
    }
    for node, keys in listened.items():
        rules = split[node]["firewall"]["extraCommands"]
        networks = split[node]["stack"]["allowedNetworks"]
        assert networks == ["192.168.1.0/30"]
        accepted = re.findall(r"^(\S+) -A nixos-fw -s (\S+) -p tcp -m tcp --dport (\d+) .* -j nixos-fw-accept$",
                              rules, re.M)
        assert {int(port) for _, _, port in accepted} == {PORTS[key] for key in keys}, node
        assert {source for _, source, _ in accepted} == set(networks), node
        # internal services listen on the private address, not on every interface
        assert split[node]["stack"]["listenAddress"] == split[node]["address"] != "0.0.0.0"
    assert split["visitor"]["address"] == "192.168.1.4"  # outside 192.168.1.0/30
    assert split["proxy"]["stack"]["publicListenAddress"] == "0.0.0.0"


def test_redis_wants_a_password_read_from_a_file_at_start(split):
    redis = split["db"]["redis"]
    secret = split["db"]["stack"]["secrets"]["redisPasswordFile"]
    assert redis["requirePassFile"] == secret
    assert "0.0.0.0" not in redis["bind"].split()
    assert set(redis["bind"].split()) == {"127.0.0.1", split["db"]["address"]}
    # upstream's root ExecStartPre appends `requirepass` from that file (no store copy)
    pre = split["db"]["units"]["redis-l10n-cr-einvoice"]["serviceConfig"]["ExecStartPre"]
    assert pre.startswith("+/nix/store/")
    # Odoo puts the password into the addon's Redis URL at start; the exporter gets it
    # as REDIS_PASSWORD, never on a command line
    odoo = split["app"]["units"]["odoo"]["serviceConfig"]
    assert any(c.startswith("redis-password:") for c in odoo["LoadCredential"])
    exporter = split["db"]["units"]["prometheus-redis-exporter"]["serviceConfig"]
    assert any(c.startswith("redis-password:") for c in exporter["LoadCredential"])


def test_the_simulators_control_api_wants_its_token(split):
    sim = split["app"]["units"]["l10n-cr-einvoice-simulator"]["serviceConfig"]
    assert "--control-token-file %d/control-token" in sim["ExecStart"]
    assert f"control-token:{split['app']['stack']['secrets']['simulatorControlTokenFile']}" in sim["LoadCredential"]


# ---------------------------------------------------------------- odoo19
def test_an_odoo19_without_the_websocket_worker_fix_is_refused(flake_copy):
    """nixpkgs issue 437260: odoo re-executes sys.argv[0] (bin/odoo, a shell wrapper) with
    Python for its gevent worker; odoo19 at 913611c2 patches it to bin/.odoo-wrapped. An
    odoo19 without that patch must stop the evaluation, not a VM test an hour later."""
    edit(flake_copy / "nix/eval-harness/pkgs/default.nix",
         "      postPatch = ''\n        substituteInPlace odoo/service/server.py",
         "      postPatchWas = ''\n        substituteInPlace odoo/service/server.py")
    proc = flake_check(flake_copy)
    assert proc.returncode != 0
    assert "nixpkgs issue 437260" in proc.stderr
