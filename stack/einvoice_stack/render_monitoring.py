"""Prometheus' configuration and Grafana's provisioning from the resolved settings."""

from __future__ import annotations

import json
import shutil

from einvoice_stack.layout import Layout

# The exporter binary (Debian's name) behind each optional `[ports]` key.
EXPORTERS = {
    "exporter_node": "prometheus-node-exporter",
    "exporter_postgres": "prometheus-postgres-exporter",
    "exporter_redis": "prometheus-redis-exporter",
    "exporter_nginx": "prometheus-nginx-exporter",
}


def exporter_port_key(job: dict, settings: dict) -> str | None:
    """The [ports] key a scrape job targets, found through its resolved target port."""
    target = job["static_configs"][0]["targets"][0]
    port = int(target.rsplit(":", 1)[1])
    for key, value in settings["ports"].items():
        if value == port:
            return key
    return None


def available_exporters() -> dict[str, str]:
    """[ports] key -> binary path, for the exporters installed on this host."""
    found = {}
    for key, binary in EXPORTERS.items():
        path = shutil.which(binary)
        if path:
            found[key] = path
    return found


def scrape_jobs(settings: dict) -> tuple[list[dict], list[str]]:
    """The jobs this host runs, and the names of optional jobs skipped (exporter missing)."""
    exporters = available_exporters()
    kept, skipped = [], []
    for job in settings["prometheus"]["scrape_configs"]:
        key = exporter_port_key(job, settings)
        if job["optional"] and key in EXPORTERS and key not in exporters:
            skipped.append(job["job_name"])
            continue
        kept.append(job)
    return kept, skipped


def render_prometheus(settings: dict, layout: Layout) -> str:
    jobs, _ = scrape_jobs(settings)
    configs = []
    for job in jobs:
        entry = {
            "job_name": job["job_name"],
            "scrape_interval": job["scrape_interval"],
            "metrics_path": job["metrics_path"],
            "static_configs": [
                {"targets": sc["targets"], "labels": {"stack": settings["stack"]["name"]}}
                for sc in job["static_configs"]
            ],
        }
        if job["bearer_token_secret"]:
            entry["authorization"] = {
                "type": "Bearer",
                "credentials_file": str(layout.secret(job["bearer_token_secret"].replace("_", "-"))),
            }
        configs.append(entry)
    document = {"global": settings["prometheus"]["global"], "scrape_configs": configs}
    # JSON is YAML: no YAML library needed, and no quoting mistakes.
    return ("# Rendered by scripts/stack from stack/settings.toml -- edit that file, not this one.\n"
            + json.dumps(document, indent=2) + "\n")


def grafana_binary() -> str | None:
    return shutil.which("grafana-server") or shutil.which("grafana")


def render_grafana_ini(settings: dict, layout: Layout, *, admin_password_file: str,
                       secret_key_file: str) -> str:
    graf = settings["grafana"]
    return "\n".join(
        [
            "; Rendered by scripts/stack from stack/settings.toml -- edit that file, not this one.",
            "[paths]",
            f"data = {layout.grafana_data}",
            f"logs = {layout.logs}",
            f"plugins = {layout.grafana_data / 'plugins'}",
            f"provisioning = {layout.etc / 'grafana' / 'provisioning'}",
            "[server]",
            f"http_addr = {graf['listen']['addr']}",
            f"http_port = {graf['listen']['port']}",
            "[security]",
            f"admin_user = {settings['stack']['admin_login']}",
            f"admin_password = $__file{{{admin_password_file}}}",
            f"secret_key = $__file{{{secret_key_file}}}",
            "[analytics]",
            "reporting_enabled = false",
            "check_for_updates = false",
            "[users]",
            "allow_sign_up = false",
            "[auth.anonymous]",
            "enabled = false",
            "",
        ]
    )


def render_grafana_provisioning(settings: dict, layout: Layout) -> dict[str, str]:
    """Provisioning files (relative path -> content): datasource, dashboards, alert rules."""
    graf = settings["grafana"]
    ds = graf["datasource"]
    files = {
        "datasources/prometheus.yaml": json.dumps(
            {
                "apiVersion": 1,
                "datasources": [
                    {
                        "name": ds["name"], "type": ds["type"], "uid": ds["uid"],
                        "access": ds["access"], "url": ds["url"], "isDefault": ds["isDefault"],
                    }
                ],
            },
            indent=2,
        ),
        "dashboards/l10n-cr-einvoice.yaml": json.dumps(
            {
                "apiVersion": 1,
                "providers": [
                    {
                        "name": "l10n-cr-einvoice",
                        "type": "file",
                        "disableDeletion": True,
                        "options": {"path": str(layout.repo / graf["dashboards_dir"])},
                    }
                ],
            },
            indent=2,
        ),
    }
    # Alert rule files are provisioning files themselves: copied as they are.
    for name in graf["alert_rules"]:
        source = layout.repo / graf["alerting_dir"] / name
        files[f"alerting/{name}"] = source.read_text(encoding="utf-8")
    return files
