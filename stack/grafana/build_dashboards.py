"""The Grafana dashboards and alert rules of the staging stack, written from Python so that
the five dashboards share one layout and one datasource, and tests can list every query.

    python3 stack/grafana/build_dashboards.py           # (re)write dashboards/*.json, alerting/*.yaml
    python3 stack/grafana/build_dashboards.py --check   # exit 1 when a committed file differs

Standard library only. The files are Grafana's own formats (dashboard JSON model, alerting
provisioning with apiVersion 1); the alert rules are written as JSON, which is YAML.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DASHBOARDS_DIR = HERE / "dashboards"
ALERTING_DIR = HERE / "alerting"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}  # stack/stackconf.py's provisioned uid
SCHEMA_VERSION = 39
WIDTH = 24
COMPANY = 'company=~"$company"'

# ----------------------------------------------------------------------------- PromQL names

_KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
             "offset", "bool", "inf", "nan"}


def metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression reads (functions, keywords, labels and the
    dashboard's $variables left out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges, subqueries
    text = re.sub(r"\$\w+|\$\{[^}]*\}", "", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        name = match.group(0)
        rest = text[match.end():].lstrip()
        if rest.startswith("(") or name.lower() in _KEYWORDS:
            continue
        if match.start() and (text[match.start() - 1].isdigit() or text[match.start() - 1] == "."):
            continue  # the unit of a duration (5m) or a number's exponent
        names.add(name)
    return names


def substitute_variables(expr: str) -> str:
    """The expression as Prometheus would receive it from Grafana (for syntax checks)."""
    return (expr.replace("$__rate_interval", "1m").replace("$__interval", "1m").replace("$__range", "1h")
            .replace("$company", ".*"))


# ----------------------------------------------------------------------------- dashboards

class Layout:
    def __init__(self):
        self.x = self.y = self.row_height = 0
        self.next_id = 1
        self.panels: list[dict] = []

    def add(self, panel: dict, w: int, h: int) -> None:
        if self.x + w > WIDTH:
            self.x, self.y, self.row_height = 0, self.y + self.row_height, 0
        panel["id"] = self.next_id
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.next_id += 1
        self.x += w
        self.row_height = max(self.row_height, h)
        self.panels.append(panel)

    def row(self, title: str) -> None:
        if self.x:
            self.x, self.y, self.row_height = 0, self.y + self.row_height, 0
        self.panels.append({"id": self.next_id, "type": "row", "title": title, "collapsed": False,
                            "gridPos": {"h": 1, "w": WIDTH, "x": 0, "y": self.y}, "panels": []})
        self.next_id += 1
        self.y += 1


def _targets(queries):
    return [{"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": expr, "legendFormat": legend,
             "range": True, "instant": False}
            for i, (expr, legend) in enumerate(queries)]


def timeseries(title, queries, unit="short", description="", stacked=False, w=12, h=8):
    return {
        "type": "timeseries", "title": title, "description": description, "datasource": DATASOURCE,
        "targets": _targets(queries),
        "fieldConfig": {"defaults": {"unit": unit, "custom": {
            "drawStyle": "line", "lineWidth": 1, "fillOpacity": 20 if stacked else 0,
            "stacking": {"mode": "normal" if stacked else "none", "group": "A"}}}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                    "tooltip": {"mode": "multi", "sort": "desc"}},
    }, w, h


def stat(title, expr, unit="short", description="", thresholds=None, w=6, h=4, legend=""):
    steps = [{"color": "green", "value": None}]
    for value, color in thresholds or []:
        steps.append({"color": color, "value": value})
    return {
        "type": "stat", "title": title, "description": description, "datasource": DATASOURCE,
        "targets": _targets([(expr, legend)]),
        "fieldConfig": {"defaults": {"unit": unit, "thresholds": {"mode": "absolute", "steps": steps}},
                        "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                    "colorMode": "background", "graphMode": "area", "textMode": "auto", "justifyMode": "auto",
                    "orientation": "auto"},
    }, w, h


def bars(title, queries, unit="short", description="", w=12, h=8):
    return {
        "type": "barchart", "title": title, "description": description, "datasource": DATASOURCE,
        "targets": [dict(t, instant=True, range=False, format="table") for t in _targets(queries)],
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"orientation": "horizontal", "showValue": "auto", "stacking": "normal",
                    "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}},
    }, w, h


def table(title, queries, description="", w=24, h=8):
    return {
        "type": "table", "title": title, "description": description, "datasource": DATASOURCE,
        "targets": [dict(t, instant=True, range=False, format="table") for t in _targets(queries)],
        "fieldConfig": {"defaults": {}, "overrides": []},
        "transformations": [{"id": "organize", "options": {"excludeByName": {"Time": True}}}],
        "options": {"showHeader": True},
    }, w, h


def dashboard(uid, title, description, tags, layout: Layout, variables=()):
    return {
        "uid": uid, "title": title, "description": description, "tags": ["l10n-cr-einvoice", *tags],
        "schemaVersion": SCHEMA_VERSION, "version": 1, "editable": True, "graphTooltip": 1,
        "time": {"from": "now-24h", "to": "now"}, "refresh": "1m", "timezone": "browser",
        "timepicker": {}, "annotations": {"list": []}, "links": [],
        "templating": {"list": list(variables)}, "panels": layout.panels,
    }


def company_variable():
    query = "label_values(l10n_cr_einvoice_documents, company)"
    return {"name": "company", "label": "Company", "type": "query", "datasource": DATASOURCE,
            "query": {"query": query, "refId": "company"}, "definition": query, "refresh": 2,
            "includeAll": True, "multi": True, "allValue": ".*", "sort": 1,
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "options": []}


def einvoicing():
    page = Layout()
    docs = f"l10n_cr_einvoice_documents{{{COMPANY}}}"
    accepted = f'l10n_cr_einvoice_documents{{{COMPANY},state="accepted"}}'
    answered = f'l10n_cr_einvoice_documents{{{COMPANY},state=~"accepted|rejected"}}'
    calls = f"l10n_cr_einvoice_hacienda_calls_total{{{COMPANY}}}"
    page.row("Documents")
    page.add(*stat("Accepted (total)", f"sum({accepted})"))
    page.add(*stat("Rejected, not corrected", f"sum(l10n_cr_einvoice_documents_uncorrected{{{COMPANY}}})",
                   thresholds=[(1, "red")]))
    page.add(*stat("Stuck (unanswered past the alert time)", f"sum(l10n_cr_einvoice_documents_stuck{{{COMPANY}}})",
                   thresholds=[(1, "red")]))
    page.add(*stat("Oldest unsent document", f"max(l10n_cr_einvoice_oldest_unsent_age_seconds{{{COMPANY}}})",
                   unit="s", thresholds=[(3600, "orange"), (14400, "red")]))
    page.add(*stat("Acceptance rate (answered documents)",
                   f"sum({accepted}) / sum({answered})",
                   unit="percentunit", thresholds=[]))
    page.add(*stat("Queue backlog (due now)", f"sum(l10n_cr_einvoice_queue_due_documents{{{COMPANY}}})",
                   thresholds=[(50, "orange"), (200, "red")]))
    page.add(*stat("Certificate days left", f"min(l10n_cr_einvoice_certificate_days_left{{{COMPANY}}})",
                   unit="d", thresholds=[]))
    page.add(*stat("Oldest unanswered submission", f"max(l10n_cr_einvoice_oldest_unanswered_age_seconds{{{COMPANY}}})",
                   unit="s", thresholds=[(600, "orange"), (3600, "red")]))
    page.add(*timeseries("Documents by state", [(f"sum by (state) ({docs})", "{{state}}")], stacked=True))
    page.add(*bars("Documents by type and state", [(f"sum by (document_type, state) ({docs})",
                                                    "{{document_type}} {{state}}")]))
    page.add(*timeseries("Documents by company", [(f"sum by (company) ({docs})", "{{company}}")]))
    page.add(*timeseries("Accepted per hour", [
        (f"sum by (company) (clamp_min(delta({accepted}[1h]), 0))",
         "{{company}}")]))
    page.row("Amounts (current month, colones)")
    page.add(*timeseries("Declared this month", [
        (f'sum by (direction, amount) (l10n_cr_einvoice_declared_month_colones{{{COMPANY},amount=~"net|tax"}})',
         "{{direction}} {{amount}}")], unit="currencyCRC", w=24))
    page.row("Hacienda")
    page.add(*timeseries("Calls to Hacienda by outcome", [
        (f"sum by (operation, outcome) (rate({calls}[$__rate_interval]))", "{{operation}} {{outcome}}")],
        unit="reqps"))
    page.add(*timeseries("Hacienda error rate", [
        (f'sum(rate(l10n_cr_einvoice_hacienda_calls_total{{{COMPANY},outcome!="ok"}}[$__rate_interval])) '
         f"/ sum(rate({calls}[$__rate_interval]))", "errors / calls")], unit="percentunit"))
    page.add(*timeseries("Call latency (p50, p95)", [
        ("histogram_quantile(0.5, sum by (le, operation) "
         "(rate(l10n_cr_einvoice_hacienda_call_duration_seconds_bucket[$__rate_interval])))", "p50 {{operation}}"),
        ("histogram_quantile(0.95, sum by (le, operation) "
         "(rate(l10n_cr_einvoice_hacienda_call_duration_seconds_bucket[$__rate_interval])))", "p95 {{operation}}"),
    ], unit="s"))
    page.add(*timeseries("Status answers", [
        (f'sum by (answer) (rate(l10n_cr_einvoice_hacienda_calls_total{{{COMPANY},operation="status"}}'
         "[$__rate_interval]))", "{{answer}}")], unit="reqps"))
    page.add(*table("Stuck and uncorrected documents per company", [
        (f"sum by (company) (l10n_cr_einvoice_documents_stuck{{{COMPANY}}})", "stuck"),
        (f"sum by (company) (l10n_cr_einvoice_documents_uncorrected{{{COMPANY}}})", "uncorrected"),
    ]))
    return dashboard("l10n-cr-einvoice", "E-invoicing (Hacienda)",
                     "Electronic documents, Hacienda calls and declared amounts, from Odoo's /metrics.",
                     ["einvoicing"], page, [company_variable()])


def odoo():
    page = Layout()
    page.add(*stat("Odoo /metrics target", 'up{job="odoo"}', thresholds=[]))
    page.add(*stat("Scrape time of /metrics", 'scrape_duration_seconds{job="odoo"}', unit="s",
                   thresholds=[(1, "orange"), (5, "red")]))
    page.add(*stat("Late scheduled actions", "sum(odoo_cron_late_jobs)", thresholds=[(1, "red")]))
    page.add(*stat("Failed e-mails", 'sum(odoo_mail_queue_messages{state="exception"})', thresholds=[(1, "red")]))
    page.add(*timeseries("Requests through nginx", [("sum(rate(nginx_http_requests_total[$__rate_interval]))",
                                                     "requests/s")], unit="reqps"))
    page.add(*timeseries("Outgoing e-mail queue", [("sum by (state) (odoo_mail_queue_messages)", "{{state}}")]))
    page.add(*timeseries("Scheduled-action wake-ups due", [("sum(odoo_cron_due_triggers)", "due")]))
    page.add(*timeseries("Hacienda simulator requests", [
        ("sum by (endpoint) (rate(hacienda_sim_requests_total[$__rate_interval]))", "{{endpoint}}")],
        unit="reqps"))
    page.add(*timeseries("Host CPU busy", [
        ('1 - avg(rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval]))', "busy")], unit="percentunit"))
    page.add(*timeseries("Host memory available", [
        ("node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", "{{instance}}")], unit="percentunit"))
    page.add(*timeseries("Load", [("node_load1", "1 min {{instance}}"), ("node_load5", "5 min {{instance}}")]))
    page.add(*timeseries("Disk space available", [
        ('min by (mountpoint) (node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"} '
         '/ node_filesystem_size_bytes{fstype!~"tmpfs|overlay"})', "{{mountpoint}}")], unit="percentunit"))
    return dashboard("l10n-cr-odoo", "Odoo", "The Odoo server: its /metrics target, scheduled actions, e-mail, "
                     "the requests reaching it and the host it runs on.", ["odoo"], page)


def postgresql():
    page = Layout()
    page.add(*stat("PostgreSQL up", "pg_up", thresholds=[]))
    page.add(*stat("Database size", 'sum(pg_database_size_bytes{datname="staging_cr"})', unit="bytes"))
    page.add(*stat("Connections", "sum(pg_stat_database_numbackends)"))
    page.add(*stat("Deadlocks (1 h)", "sum(increase(pg_stat_database_deadlocks[1h]))", thresholds=[(1, "red")]))
    page.add(*timeseries("Transactions", [
        ("sum by (datname) (rate(pg_stat_database_xact_commit[$__rate_interval]))", "commit {{datname}}"),
        ("sum by (datname) (rate(pg_stat_database_xact_rollback[$__rate_interval]))", "rollback {{datname}}")],
        unit="ops"))
    page.add(*timeseries("Cache hit ratio", [
        ("sum(rate(pg_stat_database_blks_hit[$__rate_interval])) / (sum(rate(pg_stat_database_blks_hit"
         "[$__rate_interval])) + sum(rate(pg_stat_database_blks_read[$__rate_interval])))", "hit ratio")],
        unit="percentunit"))
    page.add(*timeseries("Connections by database", [("sum by (datname) (pg_stat_database_numbackends)",
                                                      "{{datname}}")]))
    page.add(*timeseries("Locks by mode", [("sum by (mode) (pg_locks_count)", "{{mode}}")]))
    page.add(*timeseries("Rows written", [
        ("sum(rate(pg_stat_database_tup_inserted[$__rate_interval]))", "inserted"),
        ("sum(rate(pg_stat_database_tup_updated[$__rate_interval]))", "updated"),
        ("sum(rate(pg_stat_database_tup_deleted[$__rate_interval]))", "deleted")], unit="ops", w=24))
    return dashboard("l10n-cr-postgresql", "PostgreSQL", "The staging database (postgres exporter).",
                     ["postgresql"], page)


def redis():
    page = Layout()
    page.add(*stat("Redis up", "redis_up", thresholds=[]))
    page.add(*stat("Clients", "sum(redis_connected_clients)"))
    page.add(*stat("Memory used", "sum(redis_memory_used_bytes)", unit="bytes"))
    page.add(*stat("Evicted keys (1 h)", "sum(increase(redis_evicted_keys_total[1h]))", thresholds=[(1, "orange")]))
    page.add(*timeseries("Commands", [("sum(rate(redis_commands_processed_total[$__rate_interval]))", "commands/s")],
                         unit="ops"))
    page.add(*timeseries("Keyspace hit ratio", [
        ("sum(rate(redis_keyspace_hits_total[$__rate_interval])) / (sum(rate(redis_keyspace_hits_total"
         "[$__rate_interval])) + sum(rate(redis_keyspace_misses_total[$__rate_interval])))", "hits")],
        unit="percentunit"))
    page.add(*timeseries("Memory", [("sum(redis_memory_used_bytes)", "used"),
                                    ("sum(redis_memory_max_bytes)", "maxmemory")], unit="bytes"))
    page.add(*timeseries("Keys (Hacienda tokens, locks)", [("sum by (db) (redis_db_keys)", "{{db}}")]))
    return dashboard("l10n-cr-redis", "Redis", "The cache shared by Odoo's workers (Hacienda tokens).",
                     ["redis"], page)


def nginx():
    page = Layout()
    page.add(*stat("nginx up", "nginx_up", thresholds=[]))
    page.add(*stat("Active connections", "sum(nginx_connections_active)"))
    page.add(*stat("Requests (1 h)", "sum(increase(nginx_http_requests_total[1h]))"))
    page.add(*stat("Dropped connections (1 h)",
                   "sum(increase(nginx_connections_accepted[1h])) - sum(increase(nginx_connections_handled[1h]))",
                   thresholds=[(1, "red")]))
    page.add(*timeseries("Requests", [("sum(rate(nginx_http_requests_total[$__rate_interval]))", "requests/s")],
                         unit="reqps"))
    page.add(*timeseries("Connections by state", [
        ("sum(nginx_connections_reading)", "reading"), ("sum(nginx_connections_writing)", "writing"),
        ("sum(nginx_connections_waiting)", "waiting")], stacked=True))
    page.add(*timeseries("Connections accepted and handled", [
        ("sum(rate(nginx_connections_accepted[$__rate_interval]))", "accepted"),
        ("sum(rate(nginx_connections_handled[$__rate_interval]))", "handled")], unit="ops", w=24))
    return dashboard("l10n-cr-nginx", "nginx", "The public virtual host in front of Odoo (nginx exporter).",
                     ["nginx"], page)


DASHBOARDS = {
    "l10n-cr-einvoice.json": einvoicing,
    "odoo.json": odoo,
    "postgresql.json": postgresql,
    "redis.json": redis,
    "nginx.json": nginx,
}

# ----------------------------------------------------------------------------- alert rules


def alert(uid, title, expr, op, threshold, for_, severity, summary, description, no_data="OK"):
    return {
        "uid": uid, "title": title, "condition": "C",
        "data": [
            {"refId": "A", "relativeTimeRange": {"from": 600, "to": 0}, "datasourceUid": DATASOURCE["uid"],
             "model": {"refId": "A", "expr": expr, "instant": True, "intervalMs": 1000, "maxDataPoints": 43200}},
            {"refId": "C", "relativeTimeRange": {"from": 0, "to": 0}, "datasourceUid": "__expr__",
             "model": {"refId": "C", "type": "threshold", "expression": "A",
                       "conditions": [{"evaluator": {"type": op, "params": [threshold]}}]}},
        ],
        "noDataState": no_data, "execErrState": "Error", "for": for_,
        "labels": {"severity": severity, "stack": "l10n-cr-einvoice-staging"},
        "annotations": {"summary": summary, "description": description},
        "isPaused": False,
    }


def alert_rules():
    rules = [
        alert("einvoice-stuck", "Electronic documents stuck",
              "sum by (company) (l10n_cr_einvoice_documents_stuck)", "gt", 0, "15m", "warning",
              "{{ $labels.company }}: documents not answered by Hacienda past the alert time",
              "Documents still to send, sent or in error longer than the company's alert time "
              "(Settings › Electronic invoicing › Alerts). Odoo: Accounting › Reporting › E-invoicing › "
              "Documents needing attention."),
        alert("einvoice-oldest-unsent", "Oldest unsent document too old",
              "max by (company) (l10n_cr_einvoice_oldest_unsent_age_seconds"
              " - on (company_id, company) l10n_cr_einvoice_alert_unanswered_seconds)", "gt", 0, "10m", "warning",
              "{{ $labels.company }}: a document has waited longer than the alert time to be sent",
              "The oldest document Hacienda has not received is older than the company's alert time: "
              "the queue is not sending (cron workers, Hacienda down, credentials)."),
        alert("einvoice-uncorrected", "Rejected documents not corrected",
              "sum by (company) (l10n_cr_einvoice_documents_uncorrected)", "gt", 0, "24h", "info",
              "{{ $labels.company }}: rejected documents wait for a corrected one",
              "Hacienda rejected documents and no corrected document was issued for a day."),
        alert("hacienda-error-rate", "Hacienda error rate high",
              'sum(rate(l10n_cr_einvoice_hacienda_calls_total{outcome!="ok"}[10m]))'
              " / sum(rate(l10n_cr_einvoice_hacienda_calls_total[10m]))", "gt", 0.2, "10m", "critical",
              "More than 20 % of the calls to Hacienda fail",
              "Calls ending in a transient, configuration or unknown failure over the last 10 minutes. "
              "Configuration failures need an administrator (credentials); transient ones usually pass."),
        alert("hacienda-configuration-refused", "Hacienda refuses the credentials",
              'sum by (company) (increase(l10n_cr_einvoice_hacienda_calls_total{outcome="configuration"}[30m]))',
              "gt", 0, "0s", "critical",
              "{{ $labels.company }}: Hacienda refused the company's connection settings",
              "Check the API user and password in Settings › Electronic invoicing and run Test connection."),
        alert("einvoice-certificate-expiry", "Signing certificate about to expire",
              "min by (company) (l10n_cr_einvoice_certificate_days_left)", "lt", 15, "1h", "warning",
              "{{ $labels.company }}: the Hacienda signing certificate expires within 15 days",
              "Upload the new .p12 and its PIN in Settings › Electronic invoicing before it expires."),
        alert("odoo-metrics-down", "Odoo /metrics not answering", 'up{job="odoo"}', "lt", 1, "5m", "critical",
              "Prometheus cannot scrape Odoo", "Odoo is down, or its metrics token does not match Prometheus'.",
              no_data="Alerting"),
    ]
    return {"apiVersion": 1, "groups": [{"orgId": 1, "name": "l10n-cr-einvoice", "folder": "E-invoicing",
                                         "interval": "1m", "rules": rules}]}


ALERTING = {"l10n-cr-einvoice.yaml": alert_rules}


def rendered() -> dict[Path, str]:
    files = {DASHBOARDS_DIR / name: json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
             for name, build in DASHBOARDS.items()}
    header = "# Written by stack/grafana/build_dashboards.py -- edit that file, not this one (JSON is YAML).\n"
    files.update({ALERTING_DIR / name: header + json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
                  for name, build in ALERTING.items()})
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed files")
    args = parser.parse_args(argv)
    stale = []
    for path, content in rendered().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == content:
            continue
        if args.check:
            stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            print(f"wrote {path.relative_to(HERE.parent.parent)}")
    if stale:
        print("out of date (run python3 stack/grafana/build_dashboards.py): "
              + ", ".join(str(p.relative_to(HERE.parent.parent)) for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
