"""What the plain-host stack renders (einvoice_stack) and what the NixOS module's
upstream options turn into, reduced to comparable directives -- for the parity tests.

The plain-host side is rendered by einvoice_stack itself, for any settings file. The
NixOS side is read from the evaluated options; where nixpkgs' module (not the harness)
writes the final file, the few rules it follows are restated here with the nixpkgs file
they come from, so the comparison is with what nginx would actually get."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from einvoice_stack import (
    programs,
    render_monitoring,
    render_nginx,
    render_odoo,
    render_services,
)
from einvoice_stack.layout import Layout, stackconf

# Everything einvoice_stack can start, whatever this host has installed: the
# exporters and Grafana are looked up on PATH there (absent programs are left out).
ALL_EXPORTERS = {key: f"/usr/bin/{binary}" for key, binary in render_monitoring.EXPORTERS.items()}


def layout(tmp: Path, settings_file: Path) -> Layout:
    return Layout(home=tmp / "stack-home", repo=settings_file.resolve().parent.parent,
                  venv=tmp / "venv", odoo_src=Path("/opt/odoo19"), settings_file=settings_file)


class EverythingInstalled:
    """render_monitoring as on a host with every exporter and Grafana."""

    def __init__(self, monkeypatch):
        monkeypatch.setattr(render_monitoring, "available_exporters", lambda: dict(ALL_EXPORTERS))
        monkeypatch.setattr(render_monitoring, "grafana_binary", lambda: "/usr/sbin/grafana-server")


def settings(settings_file: Path) -> dict:
    return stackconf.load(settings_file)


# ---------------------------------------------------------------- odoo.conf
def odoo_conf(settings: dict, lay: Layout) -> dict[str, str]:
    text = render_odoo.render(settings, lay, admin_passwd="ADMIN", db_password="DB", schema_dir="/xsd")
    return dict(line.split(" = ", 1) for line in text.splitlines() if " = " in line)


def odoo_value(value) -> str:
    """A Nix option value as odoo.conf holds it (render_odoo writes booleans True/False)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------- nginx
def _directive(line: str) -> str:
    return re.sub(r"\s+", " ", line.strip())


def _statements(text: str):
    """('open', name) / ('close', None) / ('directive', text) of an nginx config, quotes and
    comments respected (a header value may hold ';', as in "1; mode=block")."""
    current, quote = "", None
    for line in text.splitlines():
        for ch in line:
            if quote:
                current += ch
                if ch == quote:
                    quote = None
            elif ch in "\"'":
                quote = ch
                current += ch
            elif ch == "#":
                break
            elif ch == "{":
                yield "open", _directive(current)
                current = ""
            elif ch == "}":
                yield "close", None
                current = ""
            elif ch == ";":
                yield "directive", _directive(current) + ";"
                current = ""
            else:
                current += ch
        current += " "


def nginx_blocks(text: str) -> dict[str, list[str]]:
    """Directives by block path: 'http', 'http/server1', 'http/server1/location = /health'
    (servers numbered in file order; `map` bodies left out)."""
    blocks: dict[str, list[str]] = {}
    stack: list[str] = []
    servers = 0
    for kind, value in _statements(text):
        if kind == "open":
            if value == "server":
                servers += 1
                value = f"server{servers}"
            stack.append(value)
        elif kind == "close":
            stack.pop()
        elif not any(part.startswith("map ") for part in stack):
            blocks.setdefault("/".join(stack), []).append(value)
    return blocks


def plain_nginx(settings: dict, lay: Layout) -> dict[str, list[str]]:
    blocks = nginx_blocks(render_nginx.render(settings, lay))
    return {key.replace("http/server1", "server"): value for key, value in blocks.items()
            if key == "http" or key.startswith("http/server1")}


# nixos/modules/services/web-servers/nginx/default.nix, recommendedProxyConfig: the
# headers every proxied location includes with recommendedProxySettings.
NIXOS_RECOMMENDED_PROXY_HEADERS = [
    "proxy_set_header Host $host;",
    "proxy_set_header X-Real-IP $remote_addr;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_set_header X-Forwarded-Proto $scheme;",
    "proxy_set_header X-Forwarded-Host $host;",
    "proxy_set_header X-Forwarded-Server $host;",
]


def nixos_location(loc: dict) -> list[str]:
    """The directives nixpkgs' nginx module (mkLocations) writes for a location's options."""
    out = []
    if loc["proxyPass"] is not None:
        out.append(f"proxy_pass {loc['proxyPass']};")
    if loc["proxyWebsockets"]:
        out += ["proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                "proxy_set_header Connection $connection_upgrade;"]
    if loc["return"] is not None:
        out.append(f"return {loc['return']};")
    out += [_directive(line) for line in loc["extraConfig"].splitlines() if line.strip()]
    if loc["proxyPass"] is not None and loc["recommendedProxySettings"]:
        out += NIXOS_RECOMMENDED_PROXY_HEADERS
    return out


def lines(text: str) -> list[str]:
    return [_directive(line) for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------- programs and units
# supervisord program (einvoice_stack/programs.py) -> systemd unit of the NixOS module
PROGRAM_UNITS = {
    "postgresql": "postgresql",
    "redis": "redis-l10n-cr-einvoice",
    "smtp-sink": "l10n-cr-einvoice-smtp-sink",
    "simulator": "l10n-cr-einvoice-simulator",
    "odoo": "odoo",
    "nginx": "nginx",
    "prometheus": "prometheus",
    "node-exporter": "prometheus-node-exporter",
    "postgres-exporter": "prometheus-postgres-exporter",
    "redis-exporter": "prometheus-redis-exporter",
    "nginx-exporter": "prometheus-nginx-exporter",
    "grafana": "grafana",
}
# Units with no supervisord program: steps `scripts/stack up` runs itself (secrets, the
# role and database, seeding) or upstream's own helpers.
NIXOS_ONLY_UNITS = {
    "l10n-cr-einvoice-staging-secrets",
    "l10n-cr-einvoice-staging-db-setup",
    "l10n-cr-einvoice-staging-seed",
    "postgresql-setup",
}


def stack_programs(settings: dict, lay: Layout) -> dict[str, programs.Program]:
    return {p.name: p for p in programs.programs(settings, lay)}


def options(argv: list[str]) -> dict[str, str | None]:
    """--name value / --flag pairs of a command line (after the program)."""
    out: dict[str, str | None] = {}
    i = 0
    while i < len(argv):
        if argv[i].startswith("--"):
            value = argv[i + 1] if i + 1 < len(argv) and not argv[i + 1].startswith("--") else None
            out[argv[i]] = value
            i += 2 if value is not None else 1
        else:
            i += 1
    return out


def split(command: str) -> list[str]:
    return shlex.split(command)


# ---------------------------------------------------------------- data services
def directives(text: str, comment: str = "#") -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(comment):
            key, _, value = line.partition(" = " if " = " in line else " ")
            out[key] = value
    return out


def redis_conf(settings: dict, lay: Layout) -> dict[str, str]:
    return directives(render_services.render_redis(settings, lay))


def postgresql_conf(settings: dict, lay: Layout) -> dict[str, str]:
    return {k: v.strip("'") for k, v in directives(render_services.render_postgresql(settings, lay)).items()}


def pg_hba(settings: dict) -> list[str]:
    return [_directive(line) for line in render_services.render_pg_hba(settings).splitlines()
            if line.startswith("host ")]


def grafana_ini(settings: dict, lay: Layout) -> dict[str, dict[str, str]]:
    text = render_monitoring.render_grafana_ini(settings, lay, admin_password_file="/a",
                                                secret_key_file="/k")
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
        elif " = " in line and current is not None:
            key, value = line.split(" = ", 1)
            current[key] = value
    return sections
