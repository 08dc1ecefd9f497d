"""Smoke: every service answers through its real interface; database and addons; health,
response times and security through nginx."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import statistics
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from einvoice_stack.odoo_rpc import OdooError, OdooRPC
from pg_wire import PgConnection, PgError
from service_probes import redis_command, smtp_ehlo, websocket_handshake

REPO = Path(__file__).resolve().parents[2]  # the checkout (in the NixOS VM: its copy of the suites)

pytestmark = pytest.mark.stack

RESPONSE_SAMPLES = 10


def _get(url: str, **kwargs) -> requests.Response:
    return requests.get(url, timeout=30, **kwargs)


# ------------------------------------------------------------------ services
def test_postgresql_answers_and_holds_the_database(env):
    """PostgreSQL speaks its protocol, Odoo's role logs in with SCRAM, the database exists."""
    pg = env.settings["postgresql"]["listen"]
    with PgConnection(pg["addr"], pg["port"], env.settings["stack"]["db_user"], env.database,
                      env.db_password) as conn:
        assert conn.server_params["server_version"].startswith("15."), conn.server_params
        [(database, tables)] = conn.query(
            "SELECT current_database(), count(*) FROM information_schema.tables WHERE table_name = 'ir_module_module'")
        assert (database, tables) == (env.database, "1")


def test_postgresql_has_trigrams_and_no_jit(env):
    """pg_trgm in the database (Odoo skips its trigram indexes without it, and the document
    search by number needs them); no JIT compilation of Odoo's short queries."""
    pg = env.settings["postgresql"]["listen"]
    with PgConnection(pg["addr"], pg["port"], env.settings["stack"]["db_user"], env.database,
                      env.db_password) as conn:
        [(extensions,)] = conn.query("SELECT string_agg(extname, ',') FROM pg_extension")
        assert "pg_trgm" in extensions.split(","), extensions
        [(jit,)] = conn.query("SHOW jit")
        assert jit == "off"
        [(indexes,)] = conn.query(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'l10n_cr_einvoice_document__name_index'"
            " AND indexdef LIKE '%gin_trgm_ops%'")
        assert indexes == "1", "the documents' name has no trigram index"


def test_postgresql_refuses_a_wrong_password(env):
    """Password login is enforced (SCRAM), not trust."""
    pg = env.settings["postgresql"]["listen"]
    with pytest.raises(PgError, match="password authentication failed"):
        PgConnection(pg["addr"], pg["port"], env.settings["stack"]["db_user"], env.database, "not-the-password")


def test_redis_answers(env):
    """Redis answers PING, reports version 7 or later, with the settings' memory policy."""
    host, port = env.host("redis"), env.port("redis")
    assert redis_command(host, port, "PING", password=env.redis_password) == b"+PONG\r\n"
    info = redis_command(host, port, "INFO", "server", password=env.redis_password).decode()
    version = re.search(r"redis_version:(\d+)\.", info)
    assert version and int(version.group(1)) >= 7, info[:200]
    policy = redis_command(host, port, "CONFIG", "GET", "maxmemory-policy", password=env.redis_password).decode()
    assert env.settings["redis"]["maxmemory_policy"] in policy


def test_odoo_answers_directly(env):
    """Odoo's HTTP port answers /web/health with the database server reachable."""
    response = _get(env.odoo_url + "/web/health?db_server_status=1")
    assert response.status_code == 200
    assert response.json() == {"status": "pass", "db_server_status": True}


def test_odoo_websocket_worker_through_nginx(env):
    """/websocket reaches Odoo's gevent worker through nginx: health and a real upgrade (101)."""
    response = _get(env.stack_url + "/websocket/health")
    assert response.status_code == 200 and response.json() == {"status": "pass"}
    url = urlsplit(env.stack_url)
    status, headers = websocket_handshake(url.hostname, url.port or 80, "/websocket", url.netloc, env.stack_url)
    assert " 101 " in status, status
    assert headers.get("upgrade", "").lower() == "websocket"


def test_odoo_gevent_port_answers(env):
    """The gevent port itself serves Odoo (websocket health)."""
    response = _get(env.url("odoo", "odoo_gevent", "/websocket/health"))
    assert response.json() == {"status": "pass"}


def test_nginx_health(env):
    """nginx answers /health itself."""
    response = _get(env.stack_url + "/health")
    assert response.status_code == 200 and response.text.strip() == "ok"


def test_simulator_answers(env):
    """The Hacienda simulator answers /health and serves Prometheus metrics."""
    health = _get(env.simulator_url + "/health")
    assert health.status_code == 200, health.text
    metrics = _get(env.simulator_url + "/metrics")
    assert metrics.status_code == 200 and "# TYPE" in metrics.text


def test_smtp_sink_answers(env):
    """The SMTP sink greets and answers EHLO."""
    code, _ = smtp_ehlo(env.host("odoo"), env.port("smtp_sink"))
    assert code == 250


def _seconds(duration: str) -> float:
    """A Prometheus duration of one unit ("30s", "1m") in seconds."""
    value, unit = re.fullmatch(r"(\d+)(ms|s|m|h)", duration).groups()
    return int(value) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def _scraped_at(target: dict) -> float:
    """When Prometheus last scraped a target (Unix seconds; 0 if never)."""
    stamp = target.get("lastScrape", "")
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", stamp)
    if not match or stamp.startswith("0001-"):
        return 0.0
    whole = datetime.fromisoformat(match[1] + ("+00:00" if match[3] == "Z" else match[3]))
    return whole.timestamp() + float("0" + (match[2] or ""))


def test_prometheus_scrapes_the_stack(env, report_note):
    """Prometheus is ready, has every configured job, and every target is up (Odoo's /metrics too)."""
    base = env.url("monitoring", "prometheus")
    assert _get(base + "/-/ready").status_code == 200
    targets = _get(base + "/api/v1/targets").json()["data"]["activeTargets"]
    jobs = {t["labels"]["job"]: t for t in targets}
    configured = {j["job_name"] for j in env.settings["prometheus"]["scrape_configs"] if not j["optional"]}
    assert configured <= set(jobs), f"jobs missing from Prometheus: {configured - set(jobs)}"
    # A target's health is that of its last scrape, which may predate this test: right after
    # `up` (never scraped, "unknown") or during another test's restart of Odoo (a scrape that
    # found it down). Judge each target that is not up on a scrape made after this test began:
    # the services answer now (the tests above checked them), so Prometheus must see them up.
    began = time.time()
    interval = max(_seconds(job["scrape_interval"]) for job in env.settings["prometheus"]["scrape_configs"])
    deadline = time.monotonic() + 2 * interval + 10
    while time.monotonic() < deadline and any(
            t["health"] != "up" and _scraped_at(t) < began for t in jobs.values()):
        time.sleep(2)
        jobs = {t["labels"]["job"]: t for t in _get(base + "/api/v1/targets").json()["data"]["activeTargets"]}
    down = {name: t.get("lastError") for name, t in jobs.items() if t["health"] != "up"}
    assert not down, f"targets down: {down}"
    report_note(f"Prometheus targets up: {', '.join(sorted(jobs))}")


@pytest.mark.parametrize("job", ["node", "postgres", "redis", "nginx"])
def test_exporter_answers(env, job):
    """Each exporter the host has serves metrics showing its service is up."""
    scrape = {j["job_name"]: j for j in env.settings["prometheus"]["scrape_configs"]}[job]
    target = scrape["static_configs"][0]["targets"][0]
    url = f"http://{target}{scrape['metrics_path']}"
    try:
        body = _get(url).text
    except requests.ConnectionError:
        if scrape["optional"] and _is_local(env) and not shutil.which(f"prometheus-{job}-exporter"):
            pytest.skip(f"prometheus-{job}-exporter is not installed on this host")
        raise
    expected = {"node": "node_cpu_seconds_total", "postgres": "pg_up 1", "redis": "redis_up 1",
                "nginx": "nginx_up 1"}[job]
    assert expected in body


def test_grafana(env):
    """Grafana answers with the Prometheus datasource (when the host has grafana-server)."""
    url = env.url("monitoring", "grafana")
    try:
        health = _get(url + "/api/health")
    except requests.ConnectionError:
        if _is_local(env) and not (shutil.which("grafana-server") or shutil.which("grafana")):
            pytest.skip("Grafana: not available on this host (no grafana-server binary)")
        raise
    assert health.json().get("database") == "ok"
    password_file = Path(os.environ.get("GRAFANA_ADMIN_PASSWORD_FILE")
                         or env.stack_home / "secrets" / "grafana-admin-password")
    auth = (env.admin_login, password_file.read_text(encoding="utf-8").strip())
    sources = _get(url + "/api/datasources", auth=auth).json()
    wanted = env.settings["grafana"]["datasource"]
    assert any(d["name"] == wanted["name"] and d["type"] == "prometheus" and d["url"] == wanted["url"]
               for d in sources), sources
    dashboards = _get(url + "/api/search?type=dash-db", auth=auth).json()
    assert len(dashboards) >= len(env.settings["grafana"]["dashboards"]), dashboards


def _is_local(env) -> bool:
    return env.stack_home.is_dir()


# ------------------------------------------------------------------ database and addons
def test_database_has_the_modules_installed(env, admin, report_note):
    """Every module of [odoo].modules is installed in the staging database, without demo data."""
    modules = env.settings["odoo"]["modules"]
    rows = admin.search_read("ir.module.module", [("name", "in", modules)], ["name", "state", "demo"])
    states = {r["name"]: r["state"] for r in rows}
    addon_dir = env.settings and (_repo_addon_dir())
    expected = []
    for name in modules:
        # A project addon not in this checkout yet (a later issue) is reported, not required.
        if addon_dir is not None and name.startswith("l10n_cr_einvoice") and not (addon_dir / name).is_dir():
            report_note(f"module {name} of [odoo].modules is not in this checkout: not checked")
            continue
        expected.append(name)
    assert {n: states.get(n, "absent") for n in expected} == dict.fromkeys(expected, "installed")
    assert not [r["name"] for r in rows if r["demo"]], "demo data installed"


def test_users_language_is_loaded(env, admin):
    """The users' language of the settings ([stack].lang, es_CR) is installed and active, so the
    interface can be switched to Spanish; the addons' Spanish terms are loaded for it."""
    lang = env.settings["stack"]["lang"]
    assert admin.search_read("res.lang", [("code", "=", lang), ("active", "=", True)], ["code"]), lang
    field = admin.search_read("ir.model.fields", [("model", "=", "l10n_cr.einvoice.document"),
                                                  ("name", "=", "hacienda_status")], ["field_description"],
                              context={"lang": lang})
    assert [f["field_description"] for f in field] == ["Estado en Hacienda"], field


def test_seed_speaks_the_users_language(env, admin):
    """The seed's user, the company (whose language the queue writes and sends to Hacienda in) and
    the Costa Rican customers are in [stack].lang; the customer abroad is not."""
    lang = env.settings["stack"]["lang"]
    [user] = admin.call("res.users", "read", [admin.uid], ["lang", "company_id"])
    assert user["lang"] == lang
    [company] = admin.call("res.company", "read", [user["company_id"][0]], ["partner_id", "external_report_layout_id"])
    [partner] = admin.call("res.partner", "read", [company["partner_id"][0]], ["lang"])
    assert partner["lang"] == lang
    customers = admin.search_read("res.partner", [("ref", "like", "STG-C")], ["ref", "lang", "country_id"])
    assert customers
    assert {c["ref"]: c["lang"] == lang for c in customers} == {c["ref"]: c["country_id"][1] == "Costa Rica"
                                                                 for c in customers}


def test_first_print_is_the_document(admin):
    """The seed chose a document layout: Print gives the invoice, not the layout wizard."""
    [move] = admin.search_read("account.move", [("ref", "=", "STG-INV-01")], ["id"])
    action = admin.call("account.move", "action_print_pdf", [move["id"]])
    assert action["type"] == "ir.actions.report", action.get("res_model")


def _repo_addon_dir():

    path = REPO / "addon"
    return path if path.is_dir() else None


def test_web_health_through_nginx(env):
    """/web/health through nginx reports Odoo and its database server healthy."""
    response = _get(env.stack_url + "/web/health?db_server_status=1")
    assert response.status_code == 200
    assert response.json() == {"status": "pass", "db_server_status": True}


# ------------------------------------------------------------------ response times
def _timed(fn, samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def _record(figures, name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    figures(f"{name}: median", statistics.median(times), "s", f"{len(times)} requests through nginx")
    figures(f"{name}: p95", p95, "s", f"min {ordered[0]:.3f} s, max {ordered[-1]:.3f} s")


def test_login_page_response_time(env, figures):
    """Response time of the login page through nginx (printed, not asserted)."""
    def fetch():
        response = _get(env.stack_url + "/web/login")
        assert response.status_code == 200 and 'name="password"' in response.text

    fetch()  # the first request may compile assets: not a sample
    _record(figures, "GET /web/login", _timed(fetch, RESPONSE_SAMPLES))


def test_invoice_form_response_time(env, admin, figures):
    """Response time of an invoice form through nginx: the page, its view and the record (printed)."""
    moves = admin.search_read("account.move", [("move_type", "=", "out_invoice")], ["id"], limit=1)
    if not moves:
        partner = admin.call("res.partner", "create", [{"name": "Response-time probe"}])[0]
        moves = [{"id": admin.call("account.move", "create", [{"move_type": "out_invoice",
                                                              "partner_id": partner}])[0]}]
    move_id = moves[0]["id"]
    views = admin.call("account.move", "get_views", [[False, "form"]], options={"load_filters": False})
    fields_info = views["models"]["account.move"]["fields"]
    spec = {}
    for name, info in fields_info.items():
        if info["type"] in ("one2many", "many2many"):
            continue
        spec[name] = {"fields": {"display_name": {}}} if info["type"] == "many2one" else {}

    def open_form():
        page = admin.get(f"/odoo/action-account.action_move_out_invoice_type/{move_id}")
        assert page.status_code == 200
        admin.call("account.move", "get_views", [[False, "form"]], options={"load_filters": False})
        [record] = admin.call("account.move", "web_read", [move_id], specification=spec)
        assert record["id"] == move_id

    open_form()
    _record(figures, "invoice form (page + get_views + web_read)", _timed(open_form, RESPONSE_SAMPLES))


# ------------------------------------------------------------------ security
@pytest.mark.parametrize("path", ["/web/database/manager", "/web/database/selector", "/web/database/list",
                                  "/web/database/backup", "/web/database/create"])
def test_database_manager_blocked_through_nginx(env, path):
    """The database manager is unreachable through nginx (404, whatever the method)."""
    assert _get(env.stack_url + path).status_code == 404
    assert requests.post(env.stack_url + path, json={}, timeout=30).status_code == 404


@pytest.mark.parametrize("path", ["/metrics", "/metrics/", "/metrics?format=prometheus"])
def test_metrics_blocked_through_nginx(env, path):
    """/metrics is unreachable through nginx, even with the bearer token."""
    response = _get(env.stack_url + path, headers={"Authorization": f"Bearer {env.metrics_token}"})
    assert response.status_code == 404


def test_dbfilter_is_anchored(env):
    """dbfilter matches the staging database only: look-alike names are refused."""
    dbfilter = env.settings["odoo"]["options"]["dbfilter"]
    assert dbfilter.startswith("^") and dbfilter.endswith("$"), dbfilter
    for name in (env.database + "x", "x" + env.database, env.database + "_copy"):
        session = OdooRPC(env.stack_url, name)
        with pytest.raises(OdooError, match=r"Database not found|does not exist"):
            session.authenticate(env.admin_login, env.admin_password)


def test_database_listing_disabled(env):
    """Odoo itself does not list databases (list_db off), even bypassing nginx."""
    response = requests.post(env.odoo_url + "/web/database/list", json={"jsonrpc": "2.0", "params": {}},
                             timeout=30)
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    assert response.status_code != 200 or "error" in body, response.text[:200]


def test_admin_password_is_not_a_default(env):
    """The admin logs in with the generated password only; 'admin' and empty are refused."""
    assert env.admin_password not in ("admin", "", "odoo")
    assert len(env.admin_password) >= 16
    for password in ("admin", "odoo", ""):
        with pytest.raises(OdooError):
            OdooRPC(env.stack_url, env.database).authenticate(env.admin_login, password)
    OdooRPC(env.stack_url, env.database).authenticate(env.admin_login, env.admin_password)


@pytest.mark.parametrize("path", ["/web/login", "/health", "/metrics", "/web/database/manager",
                                  "/web/static/img/favicon.ico"])
def test_security_headers(env, path):
    """Every answer through nginx carries the settings' security headers."""
    response = _get(env.stack_url + path)
    for name, value in env.settings["nginx"]["security_headers"].items():
        assert response.headers.get(name) == value, f"{path}: {name} is {response.headers.get(name)!r}"
    assert "nginx/" not in response.headers.get("Server", ""), "nginx reveals its version"


def test_static_files_are_cached_and_compressed(env, admin):
    """Static assets through nginx: cached by nginx (HIT on the second request) and gzipped."""
    page = admin.get("/web/login")
    assets = re.findall(r'(/web/assets/[^"\']+\.(?:css|js))', page.text)
    assert assets, "no asset bundle linked from /web/login"
    url = env.stack_url + "/web/static/src/libs/fontawesome/css/font-awesome.css"
    first = _get(url, headers={"Accept-Encoding": "gzip"})
    second = _get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and second.status_code == 200
    assert second.headers.get("X-Cache-Status") == "HIT", second.headers
    assert second.headers.get("Content-Encoding") == "gzip"
    raw = requests.get(url, headers={"Accept-Encoding": "gzip"}, timeout=30, stream=True).raw.read()
    assert gzip.decompress(raw).startswith(b"/*")
