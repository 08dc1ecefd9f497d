"""Odoo's /metrics on the running stack (Odoo with prefork workers): the token, and figures
equal to the database whichever worker answers; Hacienda call counters that add up across
workers."""

from __future__ import annotations

import time
from collections import Counter

import pytest
import requests
from einvoice_flow import create_invoice, post, wait_final
from prometheus_text import parse

pytestmark = pytest.mark.stack

SCRAPES = 8  # more than the workers, so that each worker answers some


def _scrape(env, token: str | None = "default", **headers) -> requests.Response:
    if token == "default":
        token = env.metrics_token
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(env.odoo_url + "/metrics", headers=headers, timeout=30)


def _metrics(env) -> dict:
    response = _scrape(env)
    assert response.status_code == 200, f"/metrics answered {response.status_code}: {response.text[:300]}"
    return parse(response.text)


def _documents(admin) -> Counter:
    rows = admin.search_read("l10n_cr.einvoice.document", [], ["company_id", "state", "document_type"])
    return Counter((str(r["company_id"][0]), r["state"], r["document_type"]) for r in rows)


def _scraped_documents(metrics: dict) -> Counter:
    counts = Counter()
    for (name, labels), value in metrics.items():
        if name == "l10n_cr_einvoice_documents" and value:
            labels = dict(labels)
            counts[(labels["company_id"], labels["state"], labels["document_type"])] = int(value)
    return counts


def test_odoo_runs_with_workers(env):
    """The figures below come from a prefork Odoo (the settings' workers)."""
    assert env.settings["odoo"]["options"]["workers"] >= 2


@pytest.mark.parametrize("case", ["no header", "wrong token", "token prefix", "basic scheme"])
def test_metrics_refused_without_the_token(env, case):
    """Without the bearer token /metrics is a plain 404, like a path that does not exist."""
    token = env.metrics_token
    response = {
        "no header": lambda: _scrape(env, None),
        "wrong token": lambda: _scrape(env, "not-the-token"),
        "token prefix": lambda: _scrape(env, token[:-1]),
        "basic scheme": lambda: _scrape(env, None, Authorization=f"Basic {token}"),
    }[case]()
    assert response.status_code == 404
    assert "l10n_cr_einvoice" not in response.text


def test_metrics_with_the_token(env):
    """With the token: Prometheus' text format, with the e-invoicing families."""
    response = _scrape(env)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE l10n_cr_einvoice_documents gauge" in response.text
    assert "# TYPE l10n_cr_einvoice_hacienda_calls_total counter" in response.text


def test_document_gauges_match_the_database_on_every_worker(env, admin):
    """Documents per company, state and type: every scrape (any worker) equals the database."""
    for _attempt in range(10):
        before = _documents(admin)
        scrapes = [_scraped_documents(_metrics(env)) for _ in range(SCRAPES)]
        after = _documents(admin)
        if before == after:
            break
        time.sleep(3)  # the queue moved a document meanwhile: measure again
    assert before == after, "documents kept changing while scraping"
    assert sum(before.values()) > 0, "no document in the staging database: was scripts/stack-seed run?"
    for scraped in scrapes:
        assert scraped == before


def test_certificate_days_left_match_the_company(env, admin):
    """Days left of each company's certificate, as Odoo's certificate record says."""
    metrics = _metrics(env)
    companies = admin.search_read("res.company", [("l10n_cr_enabled", "=", True)],
                                  ["name", "l10n_cr_certificate_id"])
    assert companies
    for company in companies:
        [cert] = admin.search_read("certificate.certificate",
                                   [("id", "=", company["l10n_cr_certificate_id"][0])], ["date_end"])
        end = time.mktime(time.strptime(cert["date_end"], "%Y-%m-%d %H:%M:%S")) - time.timezone
        expected = (end - time.time()) / 86400
        key = ("l10n_cr_einvoice_certificate_days_left",
               (("company", company["name"]), ("company_id", str(company["id"]))))
        assert metrics[key] == pytest.approx(expected, abs=0.01)


def _submits(metrics: dict) -> float:
    return sum(v for (name, labels), v in metrics.items()
               if name == "l10n_cr_einvoice_hacienda_calls_total" and ("operation", "submit") in labels)


def _database_submits(admin) -> int:
    """Submissions the database holds: rows not folded yet plus the folded totals."""
    rows = admin.call("l10n_cr.einvoice.hacienda.call", "search_count", [("operation", "=", "submit")])
    totals = admin.search_read("l10n_cr.einvoice.hacienda.call.total", [("operation", "=", "submit")], ["calls"])
    return rows + sum(t["calls"] for t in totals)


def _settled_scrapes(env, admin) -> tuple[int, list[dict]]:
    """Scrapes taken while the database's submission count stood still, with that count. The
    cron worker may send other documents at any time (the queue, retries), so scrapes are
    compared with the database read around them, never with a figure read earlier."""
    for _attempt in range(10):
        before = _database_submits(admin)
        scrapes = [_metrics(env) for _ in range(SCRAPES)]
        if _database_submits(admin) == before:
            return before, scrapes
        time.sleep(3)  # a submission was recorded meanwhile: measure again
    raise AssertionError("Hacienda submissions kept being recorded while scraping")


def test_hacienda_call_counters_add_up_across_workers(env, admin):
    """Every HTTP worker's scrape counts the submissions the database holds, before and after
    three invoices sent by the cron worker, and the latency histogram counts the same calls."""
    submits_before, scrapes = _settled_scrapes(env, admin)
    for metrics in scrapes:
        assert _submits(metrics) == submits_before, "a worker disagrees with the database"
    moves = [create_invoice(admin, "STG-C01", [("STG-P01", 1, 0)]) for _ in range(3)]
    post(admin, moves)
    final = wait_final(admin, moves)
    assert {m["l10n_cr_state"] for m in final.values()} == {"accepted"}, final
    submits_after, scrapes = _settled_scrapes(env, admin)
    assert submits_after >= submits_before + 3, "the three submissions were not recorded"
    for metrics in scrapes:
        assert _submits(metrics) == submits_after, "a worker disagrees with the database"
        count = metrics[("l10n_cr_einvoice_hacienda_call_duration_seconds_count", (("operation", "submit"),))]
        assert count == submits_after
        inf = metrics[("l10n_cr_einvoice_hacienda_call_duration_seconds_bucket",
                       (("le", "+Inf"), ("operation", "submit")))]
        assert inf == count


# ------------------------------------------------------------------ scenario 7 in Odoo
@pytest.mark.scenario(7, "Analytics and reporting")
def test_dashboard_figures_equal_the_documents(admin):
    """The dashboard (l10n_cr.einvoice.analysis, as the web client reads it) counts the
    documents by state and type, and its declared taxes equal the accepted documents'."""
    rows = admin.search_read("l10n_cr.einvoice.analysis", [],
                             ["state", "document_type", "acceptance_rate", "amount_tax_crc", "document_id"])
    documents = admin.search_read("l10n_cr.einvoice.document", [],
                                  ["state", "document_type", "declared_amount_tax_crc"])
    assert Counter((r["state"], r["document_type"]) for r in rows) == \
        Counter((d["state"], d["document_type"]) for d in documents)
    assert sum(r["amount_tax_crc"] for r in rows) == pytest.approx(
        sum(d["declared_amount_tax_crc"] for d in documents if d["state"] == "accepted"))
    answered = [r for r in rows if r["state"] in ("accepted", "rejected")]
    assert answered, "no document answered by Hacienda yet"
    accepted = [r for r in answered if r["state"] == "accepted"]
    accepted_taxes = [d["declared_amount_tax_crc"] for d in documents if d["state"] == "accepted"]
    assert any(accepted_taxes), "accepted documents carry their declared taxes"
    assert {r["acceptance_rate"] for r in accepted} == {100.0}


@pytest.mark.scenario(7, "Analytics and reporting")
def test_monthly_report_downloads(env, admin):
    """The monthly report of the current month: the XLSX through nginx, and the PDF."""
    today = time.gmtime(time.time() - 6 * 3600)  # Costa Rica
    company = admin.search_read("res.company", [("l10n_cr_enabled", "=", True)], ["id"])[0]["id"]
    [wizard] = admin.call("l10n_cr.einvoice.monthly.report", "create",
                          [{"company_id": company, "month": str(today.tm_mon), "year": today.tm_year}])
    action = admin.call("l10n_cr.einvoice.monthly.report", "action_l10n_cr_export_xlsx", [wizard])
    xlsx = admin.get(action["url"])
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK", xlsx.text[:200]
    pdf = admin.get(f"/report/pdf/l10n_cr_einvoice_analytics.report_monthly/{wizard}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text[:200]
