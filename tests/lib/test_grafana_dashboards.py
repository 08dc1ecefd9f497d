"""Static checks of the Grafana dashboards and alert rules the staging stack provisions
(stack/grafana): the generator's output is what is committed, every panel queries the
provisioned Prometheus datasource with PromQL that parses, and every e-invoicing metric a
query names is one the Odoo addon exports. (tests/stack/test_grafana_dashboards.py checks
the names against a live Prometheus.)"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from einvoice_stack import stackconf

REPO = Path(__file__).resolve().parents[2]
GRAFANA = REPO / "stack" / "grafana"
METRICS_SOURCE = REPO / "addon" / "l10n_cr_einvoice_analytics" / "models" / "l10n_cr_einvoice_metrics.py"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load("grafana_build_dashboards", GRAFANA / "build_dashboards.py")
SETTINGS = stackconf.load(REPO / "stack" / "settings.toml")
DASHBOARD_FILES = sorted((GRAFANA / "dashboards").glob("*.json"))
ALERT_FILES = sorted((GRAFANA / "alerting").glob("*.yaml"))


def _dashboards():
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in DASHBOARD_FILES}


def _alert_rules():
    rules = []
    for path in ALERT_FILES:
        for group in json.loads(path.read_text(encoding="utf-8").split("\n", 1)[1])["groups"]:
            rules += group["rules"]
    return rules


def _queries():
    """(where, expr) of every PromQL query: panel targets, template variables, alert rules."""
    found = []
    for name, board in _dashboards().items():
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                found.append((f"{name} › {panel['title']} › {target['refId']}", target["expr"]))
    for rule in _alert_rules():
        for query in rule["data"]:
            if query["datasourceUid"] != "__expr__":
                found.append((f"alert {rule['uid']}", query["model"]["expr"]))
    return found


def test_committed_files_are_what_the_generator_writes():
    assert build.main(["--check"]) == 0


def test_stackconf_provisions_every_dashboard_and_rule_file():
    assert SETTINGS["grafana"]["dashboards"] == [p.name for p in DASHBOARD_FILES]
    assert SETTINGS["grafana"]["alert_rules"] == [p.name for p in ALERT_FILES]
    assert len(DASHBOARD_FILES) == 5


@pytest.mark.parametrize("name", [p.name for p in DASHBOARD_FILES])
def test_dashboard_model(name):
    board = _dashboards()[name]
    for key in ("uid", "title", "panels", "schemaVersion", "templating", "time"):
        assert key in board, f"{name}: no {key}"
    assert re.fullmatch(r"[a-z0-9-]{1,40}", board["uid"])
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids)), f"{name}: panel ids repeated"
    cells = set()
    for panel in board["panels"]:
        pos = panel["gridPos"]
        assert pos["x"] >= 0 and pos["w"] > 0 and pos["x"] + pos["w"] <= 24, f"{name} › {panel['title']}: {pos}"
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, f"{name} › {panel['title']} overlaps another panel"
                cells.add((x, y))
        if panel["type"] == "row":
            continue
        assert panel["title"], f"{name}: a panel without a title"
        assert panel["datasource"] == {"type": "prometheus", "uid": SETTINGS["grafana"]["datasource"]["uid"]}
        assert panel["targets"], f"{name} › {panel['title']}: no query"
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs))
        for target in panel["targets"]:
            assert target["expr"].strip(), f"{name} › {panel['title']}: empty PromQL"
            assert target["datasource"]["uid"] == SETTINGS["grafana"]["datasource"]["uid"]
    for variable in board["templating"]["list"]:
        assert variable["datasource"]["uid"] == SETTINGS["grafana"]["datasource"]["uid"]


def test_dashboard_uids_are_unique():
    uids = [board["uid"] for board in _dashboards().values()]
    assert len(uids) == len(set(uids))


def test_alert_rules_model():
    rules = _alert_rules()
    titles = {r["title"] for r in rules}
    assert {"Electronic documents stuck", "Hacienda error rate high"} <= titles
    uids = [r["uid"] for r in rules]
    assert len(uids) == len(set(uids))
    for rule in rules:
        refs = {q["refId"] for q in rule["data"]}
        assert rule["condition"] in refs, rule["uid"]
        assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["uid"]
        for query in rule["data"]:
            assert query["datasourceUid"] in ("__expr__", SETTINGS["grafana"]["datasource"]["uid"])
        assert rule["annotations"]["summary"] and rule["labels"]["severity"] in ("info", "warning", "critical")


def _exported_names() -> set[str]:
    """The metric families the addon's /metrics writes, with the samples' suffixes."""
    source = METRICS_SOURCE.read_text(encoding="utf-8")
    names = set()
    for kind, name in re.findall(r"(Gauge|Counter|Histogram)MetricFamily\(\s*'([a-z0-9_]+)'", source):
        names |= {"Gauge": {name}, "Counter": {name + "_total"},
                  "Histogram": {name + "_bucket", name + "_count", name + "_sum"}}[kind]
    return names


def test_einvoicing_metric_names_are_exported_by_the_addon():
    exported = _exported_names()
    assert "l10n_cr_einvoice_hacienda_calls_total" in exported
    for where, expr in _queries():
        for name in build.metric_names(expr):
            if name.startswith(("l10n_cr_einvoice_", "odoo_")):
                assert name in exported, f"{where}: {name} is not exported by the addon"


def test_metric_name_extraction():
    names = build.metric_names(
        'histogram_quantile(0.95, sum by (le, operation) (rate(a_bucket{x="y z",op=~"a|b"}[5m]))) '
        '/ on (company) group_left(name) b_info * 1e3 - sum without (mode) (c offset 1h) and bool d')
    assert names == {"a_bucket", "b_info", "c", "d"}


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed (Debian: prometheus)")
def test_every_query_parses(tmp_path):
    """promtool parses every expression (as recording rules), $variables substituted."""
    rules = [{"record": f"check:q{i}", "expr": build.substitute_variables(expr)}
             for i, (_where, expr) in enumerate(_queries())]
    path = tmp_path / "rules.yml"
    path.write_text(json.dumps({"groups": [{"name": "grafana", "rules": rules}]}), encoding="utf-8")
    result = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_query_is_refused_by_the_check(tmp_path):
    """The promtool check above can fail: a broken expression is reported."""
    if not shutil.which("promtool"):
        pytest.skip("promtool is not installed")
    path = tmp_path / "rules.yml"
    path.write_text(json.dumps({"groups": [{"name": "g", "rules": [{"record": "r:x", "expr": "sum(rate(x[5m])"}]}]}))
    result = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
