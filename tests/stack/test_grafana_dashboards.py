"""Every query of the Grafana dashboards and alert rules against the running stack's
Prometheus: each metric it names is one Prometheus really scraped, and Prometheus evaluates
the query without error (Grafana itself is checked by test_smoke when the host has it)."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.stack

REPO = Path(__file__).resolve().parents[2]
GRAFANA = REPO / "stack" / "grafana"
_spec = importlib.util.spec_from_file_location("grafana_build_dashboards", GRAFANA / "build_dashboards.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


def _queries():
    found = []
    for path in sorted((GRAFANA / "dashboards").glob("*.json")):
        board = json.loads(path.read_text(encoding="utf-8"))
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                found.append((f"{path.name} › {panel['title']} › {target['refId']}", target["expr"]))
        for variable in board["templating"]["list"]:
            found.append((f"{path.name} › ${variable['name']}", variable["query"]["query"]))
    for path in sorted((GRAFANA / "alerting").glob("*.yaml")):
        for group in json.loads(path.read_text(encoding="utf-8").split("\n", 1)[1])["groups"]:
            for rule in group["rules"]:
                for query in rule["data"]:
                    if query["datasourceUid"] != "__expr__":
                        found.append((f"{path.name} › {rule['uid']}", query["model"]["expr"]))
    return found


QUERIES = _queries()


def _prometheus(env, path, **params):
    response = requests.get(env.url("monitoring", "prometheus", path), params=params, timeout=30)
    response.raise_for_status()
    body = response.json()
    assert body["status"] == "success", body
    return body["data"]


@pytest.fixture(scope="module")
def live_names(env):
    """Metric names Prometheus holds, once every target (Odoo's /metrics included) is up."""
    deadline = time.monotonic() + 120
    while True:
        targets = _prometheus(env, "/api/v1/targets")["activeTargets"]
        down = {t["labels"]["job"]: t.get("lastError") for t in targets if t["health"] != "up"}
        if not down:
            break
        assert time.monotonic() < deadline, f"targets not up: {down}"
        time.sleep(3)
    return set(_prometheus(env, "/api/v1/label/__name__/values"))


def _label_values_metric(expr):
    if expr.startswith("label_values("):
        return {expr[len("label_values("):].split(",")[0].strip()}
    return build.metric_names(expr)


@pytest.mark.parametrize("where,expr", QUERIES, ids=[w for w, _ in QUERIES])
def test_metrics_exist_in_prometheus(live_names, where, expr):
    """Each metric the query reads is one the stack exports (checked against Prometheus)."""
    names = _label_values_metric(expr)
    assert names, f"{where}: no metric in {expr!r}"
    missing = sorted(names - live_names)
    assert not missing, f"{where}: {missing} not scraped by Prometheus"


@pytest.mark.parametrize("where,expr", [(w, e) for w, e in QUERIES if not e.startswith("label_values(")],
                         ids=[w for w, e in QUERIES if not e.startswith("label_values(")])
def test_queries_evaluate(env, live_names, where, expr):
    """Prometheus evaluates the query (Grafana's $variables as Grafana would send them)."""
    _prometheus(env, "/api/v1/query", query=build.substitute_variables(expr))
