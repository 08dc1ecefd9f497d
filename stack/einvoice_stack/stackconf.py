"""The staging stack's settings, resolved: what every deployment of the stack must agree on.

`stack/settings.toml` says *what* the stack is (ports, routes, scrape jobs, Odoo options).
This module turns it into the concrete values the services are configured with -- the
Odoo config options as key -> value, every nginx location with the behaviour it resolves
to, Prometheus' scrape configs as Prometheus would see them, the Grafana provisioning. It
is the only implementation of these rules: the plain-host scripts render their config
files from `load()`, and the NixOS module reads the same resolution from
`stack/settings.resolved.json` (`nix_export()`, committed; tests/nix proves it current and
the module refuses one made from another settings file). Standard library only (tomllib,
Python >= 3.11).

    python -m einvoice_stack.stackconf --json            # resolved settings as JSON
    python -m einvoice_stack.stackconf --json --settings other.toml
    python -m einvoice_stack.stackconf --nix-json -o stack/settings.resolved.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11 has no tomllib: say so instead of a traceback
    tomllib = None

# stack/settings.toml, beside this package in the repository
DEFAULT_SETTINGS = Path(__file__).resolve().parents[1] / "settings.toml"

# Modules of [odoo].modules that this repository ships (addon/<name>); the others
# (l10n_cr, ...) come with Odoo itself.
PROJECT_ADDON_PREFIX = "l10n_cr_einvoice"

# Which machine of the stack serves each [ports] key. In one-host deployments every role
# is the same address; the three-node NixOS test maps roles to different hosts.
ROLES = ("proxy", "odoo", "database", "redis", "monitoring", "simulator")
PORT_ROLE = {
    "odoo": "odoo",
    "odoo_gevent": "odoo",
    "postgresql": "database",
    "redis": "redis",
    "nginx": "proxy",
    "prometheus": "monitoring",
    "grafana": "monitoring",
    "simulator": "simulator",
    "smtp_sink": "odoo",
    "exporter_postgres": "database",
    "exporter_redis": "redis",
    "exporter_nginx": "proxy",
}
# The node exporter runs on every machine of the stack.
EVERY_HOST_PORTS = ("exporter_node",)

REQUIRED_PORTS = (
    "odoo", "odoo_gevent", "postgresql", "redis", "nginx", "prometheus", "grafana", "simulator",
    "smtp_sink",
)
LOCATION_ACTIONS = ("proxy", "websocket", "static", "health", "deny")
LOCATION_MATCHES = {"prefix": "", "exact": "= ", "regex": "~ "}
UPSTREAM_PORTS = {"odoo": "odoo", "odoo_gevent": "odoo_gevent"}
HACIENDA_ENVIRONMENTS = ("simulator", "sandbox", "production")
# Odoo options taken verbatim from [odoo] (everything else there is stack metadata).
ODOO_PASSTHROUGH = (
    "workers", "max_cron_threads", "proxy_mode", "list_db", "dbfilter",
    "limit_time_cpu", "limit_time_real", "limit_memory_soft", "limit_memory_hard", "log_level",
)
# Odoo options every staging deployment sets the same way: no demonstration records,
# outgoing mail to the stack's SMTP sink (plain SMTP on [ports].smtp_sink of the Odoo
# machine), so staging never e-mails a real customer, and l10n_cr_einvoice loaded
# server-wide: workers die with the main process, cron workers look for due jobs every few
# seconds (addon/l10n_cr_einvoice/server_wide.py).
STAGING_ODOO_OPTIONS = {
    "with_demo": False,
    "server_wide_modules": "base,rpc,web,l10n_cr_einvoice",
    "smtp_ssl": False,
    "email_from": "noreply@empresa-demo.test",
}

# The certificates Odoo checks signatures against are files whose place each deployment
# chooses: the resolved options name them with a placeholder ("@path:national_pki@") that
# the deployment fills in (fill_paths for the plain host, nix/modules/odoo.nix for NixOS).
#   national_pki           Costa Rica's national PKI (a directory, pinned by SHA-256)
#   test_ca                the stack's own test CA (einvoice_stack.test_pki), staging only
#   simulator_certificate  the certificate the simulator seals its answers with
PKI_PATHS = ("national_pki", "test_ca", "simulator_certificate")
PATH_PLACEHOLDER = "@path:{}@"
# The files of the stack's test PKI (einvoice_stack.test_pki), in its directory.
TEST_PKI_FILES = {
    "ca_cert": "ca.pem",
    "ca_key": "ca.key",
    "seal_p12": "simulator-seal.p12",
    "seal_pin": "simulator-seal.pin",
    "seal_cert": "simulator-seal.pem",
}


def pki_options(environment: str) -> dict[str, str]:
    """The Odoo options naming the certificates signatures are checked against, for a stack
    that talks to Hacienda's `environment`.

    Always Costa Rica's national PKI: a supplier's signature must chain to it. With the
    simulator, whose taxpayers sign with certificates of the stack's test CA, that CA too --
    under its own key, l10n_cr_einvoice_simulator_trust_anchors, which the addon honours for
    companies working with the simulator only -- and the simulator's sealing certificate as
    Hacienda's (l10n_cr_einvoice_hacienda_certificates: its answers must verify against it).
    A sandbox or production stack names no test certificate at all; Hacienda's own sealing
    certificate is not public material, so the key is left for the operator there."""
    path = PATH_PLACEHOLDER.format
    options = {"l10n_cr_einvoice_pki_dir": path("national_pki")}
    if environment == "simulator":
        options["l10n_cr_einvoice_simulator_trust_anchors"] = path("test_ca")
        options["l10n_cr_einvoice_hacienda_certificates"] = path("simulator_certificate")
    return options


def fill_paths(options: dict[str, str], paths: dict[str, str]) -> dict[str, str]:
    """`options` with each path placeholder replaced by the deployment's path."""
    unknown = sorted(set(paths) - set(PKI_PATHS))
    if unknown:
        raise SettingsError(f"unknown certificate path(s) {', '.join(unknown)} (known: {', '.join(PKI_PATHS)})")
    filled = {}
    for key, value in options.items():
        for name, path in paths.items():
            value = value.replace(PATH_PLACEHOLDER.format(name), str(path))
        if "@path:" in value:
            raise SettingsError(f"{key}: no path given for {value}")
        filled[key] = value
    return filled


class SettingsError(ValueError):
    """The settings file is missing, unreadable or has a wrong/missing field."""


def _get(table: dict, key: str, kind: type | tuple[type, ...], where: str):
    if key not in table:
        raise SettingsError(f"{where}.{key} is missing")
    value = table[key]
    # bool is an int in Python: never accept one for the other
    if isinstance(value, bool) and kind is not bool and (
        not isinstance(kind, tuple) or bool not in kind
    ):
        raise SettingsError(f"{where}.{key} must be {_kind_name(kind)}, not a boolean")
    if not isinstance(value, kind):
        raise SettingsError(f"{where}.{key} must be {_kind_name(kind)}, got {value!r}")
    return value


def _kind_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
             list: "a list", dict: "a table"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _table(data: dict, key: str, where: str = "settings") -> dict:
    return _get(data, key, dict, where)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _addr(host: str, port: int) -> str:
    return f"{_url_host(host)}:{port}"


def _listing(directory: Path, suffixes: tuple[str, ...]) -> list[str]:
    # Missing directory = nothing provisioned yet (dashboards are added over time).
    if not directory.is_dir():
        return []
    return sorted(
        p.name for p in directory.iterdir()
        if p.is_file() and p.suffix in suffixes and not p.name.startswith(".")
    )


def _ports(raw: dict) -> dict[str, int]:
    ports = _table(raw, "ports")
    for name in REQUIRED_PORTS:
        _get(ports, name, int, "ports")
    for name, value in ports.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
            raise SettingsError(f"ports.{name} must be a TCP port (1-65535), got {value!r}")
    seen: dict[int, str] = {}
    for name, value in ports.items():
        if value in seen:
            raise SettingsError(f"ports.{name} and ports.{seen[value]} are both {value}")
        seen[value] = name
    return dict(ports)


def _hosts(stack: dict, overrides: dict[str, str] | None) -> dict[str, str]:
    bind_host = _get(stack, "bind_host", str, "stack")
    hosts = dict.fromkeys(ROLES, bind_host)
    for role, host in (overrides or {}).items():
        if role not in hosts:
            raise SettingsError(f"unknown stack role {role!r} (known: {', '.join(ROLES)})")
        hosts[role] = host
    return hosts


def _port_hosts(port_key: str, hosts: dict[str, str]) -> list[str]:
    if port_key in EVERY_HOST_PORTS:
        # one target per distinct machine, in role order
        return list(dict.fromkeys(hosts[role] for role in ROLES))
    if port_key not in PORT_ROLE:
        raise SettingsError(f"no stack role serves ports.{port_key}")
    return [hosts[PORT_ROLE[port_key]]]


def _odoo(raw: dict, stack: dict, ports: dict, hosts: dict, redis: dict, sim: dict,
          hacienda: dict) -> dict:
    odoo = _table(raw, "odoo")
    modules = _get(odoo, "modules", list, "odoo")
    if not modules or not all(isinstance(m, str) and m for m in modules):
        raise SettingsError("odoo.modules must be a non-empty list of module names")
    options: dict = {}
    for key in ODOO_PASSTHROUGH:
        kind = {"proxy_mode": bool, "list_db": bool, "dbfilter": str, "log_level": str}.get(
            key, int
        )
        options[key] = _get(odoo, key, kind, "odoo")
    options.update(
        {
            "http_interface": hosts["odoo"],
            "http_port": ports["odoo"],
            "gevent_port": ports["odoo_gevent"],
            "db_host": hosts["database"],
            "db_port": ports["postgresql"],
            "db_user": _get(stack, "db_user", str, "stack"),
            "db_name": _get(stack, "database", str, "stack"),
            # Read by the l10n_cr_einvoice addon (odoo.tools.config).
            "l10n_cr_environment": hacienda["environment"],
            "l10n_cr_einvoice_simulator_url": sim["url"],
            "l10n_cr_schema_set": hacienda["schema_set"],
            "l10n_cr_einvoice_redis_url": redis["url"],
            "l10n_cr_einvoice_redis_prefix": redis["key_prefix"],
            "smtp_server": hosts[PORT_ROLE["smtp_sink"]],
            "smtp_port": ports["smtp_sink"],
            **STAGING_ODOO_OPTIONS,
        }
    )
    return {
        "modules": list(modules),
        "project_addons": [m for m in modules if m.startswith(PROJECT_ADDON_PREFIX)],
        "options": options,
        # per Hacienda environment: the NixOS module may talk to another one than the file says
        "pki_options": {env: pki_options(env) for env in HACIENDA_ENVIRONMENTS},
        "pki_path_placeholder": PATH_PLACEHOLDER.format("<name>"),
    }


def _nginx(raw: dict, ports: dict, hosts: dict) -> dict:
    nginx = _table(raw, "nginx")
    headers = _table(nginx, "security_headers", "nginx")
    for name, value in headers.items():
        if not isinstance(value, str):
            raise SettingsError(f"nginx.security_headers.{name} must be a string")
    gzip_types = _get(nginx, "gzip_types", list, "nginx")
    static_cache = _get(nginx, "static_cache", str, "nginx")
    upstreams = {
        name: [_addr(hosts[PORT_ROLE[port_key]], ports[port_key])]
        for name, port_key in UPSTREAM_PORTS.items()
    }
    raw_locations = _get(nginx, "locations", list, "nginx")
    locations = []
    seen_keys: set[str] = set()
    for index, loc in enumerate(raw_locations):
        where = f"nginx.locations[{index}]"
        if not isinstance(loc, dict):
            raise SettingsError(f"{where} must be a table")
        path = _get(loc, "path", str, where)
        match = _get(loc, "match", str, where)
        action = _get(loc, "action", str, where)
        if match not in LOCATION_MATCHES:
            raise SettingsError(f"{where}.match must be one of {', '.join(LOCATION_MATCHES)}")
        if action not in LOCATION_ACTIONS:
            raise SettingsError(f"{where}.action must be one of {', '.join(LOCATION_ACTIONS)}")
        key = LOCATION_MATCHES[match] + path
        if key in seen_keys:
            raise SettingsError(f"{where}: location {key!r} is defined twice")
        seen_keys.add(key)
        upstream = None
        if action in ("proxy", "websocket", "static"):
            upstream = _get(loc, "upstream", str, where)
            if upstream not in upstreams:
                raise SettingsError(
                    f"{where}.upstream must be one of {', '.join(upstreams)}, got {upstream!r}"
                )
        elif "upstream" in loc:
            raise SettingsError(f"{where}.upstream makes no sense for action {action!r}")
        locations.append(
            {
                "key": key,
                "path": path,
                "match": match,
                "action": action,
                # keeps regex locations in file order in every deployment
                "priority": 100 + index,
                "upstream": upstream,
                "proxy_pass": f"http://{upstream}" if upstream else None,
                "websocket": action == "websocket",
                "cache_valid": static_cache if action == "static" else None,
                "return": {"health": "200 ok", "deny": "404"}.get(action),
            }
        )
    return {
        "listen": {"addr": hosts["proxy"], "port": ports["nginx"]},
        "server_name": _get(nginx, "server_name", str, "nginx"),
        "client_max_body_size": _get(nginx, "client_max_body_size", str, "nginx"),
        "static_cache": static_cache,
        "gzip_types": list(gzip_types),
        "security_headers": dict(headers),
        "upstreams": upstreams,
        "locations": locations,
    }


def _prometheus(raw: dict, ports: dict, hosts: dict) -> dict:
    prom = _table(raw, "prometheus")
    interval = _get(prom, "scrape_interval", str, "prometheus")
    jobs = []
    for index, job in enumerate(_get(prom, "scrape", list, "prometheus")):
        where = f"prometheus.scrape[{index}]"
        if not isinstance(job, dict):
            raise SettingsError(f"{where} must be a table")
        port_key = _get(job, "port", str, where)
        if port_key not in ports:
            raise SettingsError(f"{where}.port names no key of [ports]: {port_key!r}")
        entry = {
            "job_name": _get(job, "job", str, where),
            "scrape_interval": job.get("interval", interval),
            "metrics_path": job.get("path", "/metrics"),
            "static_configs": [
                {"targets": [_addr(h, ports[port_key]) for h in _port_hosts(port_key, hosts)]}
            ],
            "optional": bool(job.get("optional", False)),
            # The token itself is a secret file; its path differs per deployment.
            "bearer_token_secret": "metrics_token" if job.get("bearer_token") else None,
        }
        for key in ("scrape_interval", "metrics_path"):
            if not isinstance(entry[key], str):
                raise SettingsError(f"{where}.{'interval' if key == 'scrape_interval' else 'path'}"
                                    " must be a string")
        jobs.append(entry)
    names = [j["job_name"] for j in jobs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SettingsError(f"prometheus.scrape: job names repeated: {', '.join(duplicates)}")
    return {
        "listen": {"addr": hosts["monitoring"], "port": ports["prometheus"]},
        "retention": _get(prom, "retention", str, "prometheus"),
        "global": {"scrape_interval": interval},
        "scrape_configs": jobs,
    }


def _grafana(raw: dict, ports: dict, hosts: dict, repo_root: Path) -> dict:
    graf = _table(raw, "grafana")
    dashboards_dir = _get(graf, "dashboards_dir", str, "grafana")
    alerting_dir = _get(graf, "alerting_dir", str, "grafana")
    return {
        "listen": {"addr": hosts["monitoring"], "port": ports["grafana"]},
        "datasource": {
            "name": _get(graf, "datasource_name", str, "grafana"),
            "type": "prometheus",
            "uid": "prometheus",
            "access": "proxy",
            "isDefault": True,
            "url": f"http://{_addr(hosts['monitoring'], ports['prometheus'])}",
        },
        "dashboards_dir": dashboards_dir,
        "dashboards": _listing(repo_root / dashboards_dir, (".json",)),
        "alerting_dir": alerting_dir,
        "alert_rules": _listing(repo_root / alerting_dir, (".yaml", ".yml")),
    }


def load(path: str | Path | None = None, hosts: dict[str, str] | None = None) -> dict:
    """Read the settings file and return the resolved settings (see the module docstring).

    `hosts` maps stack roles (proxy, odoo, database, redis, monitoring, simulator) to the
    address others reach them at; by default every role is [stack].bind_host.
    Raises SettingsError naming the file and field on bad input.
    """
    if tomllib is None:
        raise SettingsError("stackconf needs Python >= 3.11 (tomllib)")
    settings_path = Path(path) if path is not None else DEFAULT_SETTINGS
    try:
        with settings_path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"{settings_path}: no such settings file") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{settings_path}: not valid TOML: {exc}") from None
    try:
        return _resolve(raw, hosts, settings_path.resolve().parent.parent)
    except SettingsError as exc:
        raise SettingsError(f"{settings_path}: {exc}") from None


def _resolve(raw: dict, host_overrides: dict[str, str] | None, repo_root: Path) -> dict:
    stack = _table(raw, "stack")
    ports = _ports(raw)
    hosts = _hosts(stack, host_overrides)
    redis_raw = _table(raw, "redis")
    redis = {
        "listen": {"addr": hosts["redis"], "port": ports["redis"]},
        "maxmemory": _get(redis_raw, "maxmemory", str, "redis"),
        "maxmemory_policy": _get(redis_raw, "maxmemory_policy", str, "redis"),
        "key_prefix": _get(redis_raw, "key_prefix", str, "redis"),
        "url": f"redis://{_addr(hosts['redis'], ports['redis'])}/0",
    }
    hacienda_raw = _table(raw, "hacienda")
    environment = _get(hacienda_raw, "environment", str, "hacienda")
    if environment not in HACIENDA_ENVIRONMENTS:
        raise SettingsError(
            f"hacienda.environment must be one of {', '.join(HACIENDA_ENVIRONMENTS)}, "
            f"got {environment!r}"
        )
    delay = _get(hacienda_raw, "simulator_processing_delay", (int, float), "hacienda")
    simulator = {
        "listen": {"addr": hosts["simulator"], "port": ports["simulator"]},
        "url": f"http://{_addr(hosts['simulator'], ports['simulator'])}",
        "user": _get(hacienda_raw, "simulator_user", str, "hacienda"),
        "processing_delay": float(delay),
    }
    supplier_raw = _table(hacienda_raw, "demo_supplier", "hacienda")
    hacienda = {
        "demo_supplier": {
            key: _get(supplier_raw, key, str, "hacienda.demo_supplier")
            for key in ("simulator_user", "id_type", "id", "name")
        },
        "environment": environment,
        "schema_set": _get(hacienda_raw, "schema_set", str, "hacienda"),
        "emitter_id_type": _get(hacienda_raw, "emitter_id_type", str, "hacienda"),
        "emitter_id": _get(hacienda_raw, "emitter_id", str, "hacienda"),
        "emitter_name": _get(hacienda_raw, "emitter_name", str, "hacienda"),
    }
    return {
        "stack": {
            key: _get(stack, key, str, "stack")
            for key in ("name", "database", "db_user", "admin_login", "bind_host", "timezone",
                        "lang")
        },
        "ports": ports,
        "hosts": hosts,
        "odoo": _odoo(raw, stack, ports, hosts, redis, simulator, hacienda),
        "postgresql": {"listen": {"addr": hosts["database"], "port": ports["postgresql"]}},
        "redis": redis,
        "nginx": _nginx(raw, ports, hosts),
        "prometheus": _prometheus(raw, ports, hosts),
        "grafana": _grafana(raw, ports, hosts, repo_root),
        "simulator": simulator,
        "hacienda": hacienda,
        "test_pki": {"files": dict(TEST_PKI_FILES)},
    }


# The NixOS module fills every role's address from its `hosts` option: the export leaves
# a placeholder per role where the address goes. It holds a ":" so that addresses are
# written as an IPv6 literal would be ("[@role:odoo@]:8070"), and the module can put the
# brackets back or drop them for the real host (nix/lib/settings.nix).
ROLE_PLACEHOLDER = "@role:{}@"
NIX_EXPORT_FORMAT = 1
NIX_EXPORT_COMMAND = "python -m einvoice_stack.stackconf --nix-json --settings SETTINGS -o JSON"


def nix_export(path: str | Path | None = None) -> dict:
    """What the NixOS module reads instead of resolving the settings itself: `load()` with a
    placeholder for every role's host, and the SHA-256 of the settings file it came from
    (the module refuses an export of another file). Written to stack/settings.resolved.json."""
    settings_path = Path(path) if path is not None else DEFAULT_SETTINGS
    resolved = load(settings_path, hosts={role: ROLE_PLACEHOLDER.format(role) for role in ROLES})
    return {
        "format": NIX_EXPORT_FORMAT,
        "generated_by": NIX_EXPORT_COMMAND,
        "settings_sha256": hashlib.sha256(settings_path.read_bytes()).hexdigest(),
        "role_placeholder": ROLE_PLACEHOLDER.format("<role>"),
        "roles": list(ROLES),
        "resolved": resolved,
    }


def dumps(data: dict) -> str:
    """The one JSON layout of these files (stable: sorted keys, two-space indent)."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the staging stack's resolved settings.")
    parser.add_argument("--json", action="store_true", help="print the resolved settings as JSON")
    parser.add_argument("--nix-json", action="store_true",
                        help="the NixOS module's input (stack/settings.resolved.json): the resolution with "
                             "role placeholders and the settings file's SHA-256")
    parser.add_argument("-o", "--output", help="write to this file instead of standard output")
    parser.add_argument("--settings", help=f"settings file (default: {DEFAULT_SETTINGS})")
    args = parser.parse_args(argv)
    try:
        data = nix_export(args.settings) if args.nix_json else load(args.settings)
    except SettingsError as exc:
        print(f"stackconf: {exc}", file=sys.stderr)
        return 2
    if args.json or args.nix_json:
        if args.output:
            Path(args.output).write_text(dumps(data), encoding="utf-8")
        else:
            sys.stdout.write(dumps(data))
    else:
        resolved = data
        for section in sorted(resolved):
            print(f"[{section}]")
            print(json.dumps(resolved[section], indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
