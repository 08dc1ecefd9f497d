#!/usr/bin/env python3
"""Years of documents (issue 18): grow the staging database to N electronic documents and time
the screens that must not slow down as history grows.

For each size of --sizes, in increasing order, the staging database (scripts/stack up, seeded)
is grown by SQL to that many documents -- each with its invoice, lines, taxes and declared tax
breakdown, in realistic states over 24 months (scripts/bench/history_data.py) -- and then each
call below is made once to warm up and --runs times more; the median is printed:

* through nginx, over JSON-RPC with the web client's arguments, built from the actions and views
  of the database: the dashboard's list (first page), graph and pivot; the "needs attention"
  list; the declared-taxes pivot; the documents list searched by a whole clave and by a
  10-digit number; the customer invoices list (first page); the monthly D-104 workbook of the
  last complete month; and, first, a control call that reads no history (its figure is the
  cost of any request at the machine's current load, which moves every row alike);
* GET /metrics on Odoo's own port with the scrape token (nginx refuses /metrics).

It prints figures; nothing is asserted. Growing is one-way: to measure a smaller size again,
restore a backup of the seeded database (scripts/stack backup / restore). As root, or as the
stack's runtime account, with STACK_SETTINGS when the stack runs on other ports:

    STACK_SETTINGS=/tmp/my-settings.toml .venv/bin/python scripts/bench/history.py --sizes 20000,200000,1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import history_calls as calls
import history_data as data
from einvoice_stack import postgres
from einvoice_stack.layout import Layout
from einvoice_stack.odoo_rpc import OdooRPC
from einvoice_stack.seed_env import from_environment

# Crons that fold what triggers recorded into summaries: run after growing, as they would have run.
FOLD_CRONS = ("l10n_cr_einvoice_analytics.ir_cron_l10n_cr_analytics_fold_summaries",)


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Database:
    def __init__(self, layout: Layout, settings: dict, name: str):
        self.layout, self.settings, self.name = layout, settings, name

    def sql(self, text: str) -> str:
        return postgres.psql(self.layout, self.settings, text, database=self.name)

    def documents(self) -> int:
        return int(self.sql("SELECT count(*) FROM l10n_cr_einvoice_document"))

    def size(self) -> str:
        return self.sql("SELECT pg_size_pretty(pg_database_size(current_database()))")


def grow(db: Database, target: int, client: calls.WebClient) -> None:
    current = db.documents()
    if current >= target:
        say(f"{current:,} documents already (>= {target:,}): nothing to add")
        return
    columns = data.parse_columns(db.sql(data.columns_query()))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    now_sql = f"TIMESTAMP '{now:%Y-%m-%d %H:%M:%S}'"
    t0 = time.monotonic()
    for chunk in data.chunks(current, target):
        t1 = time.monotonic()
        db.sql(data.chunk_sql(chunk, columns, now_sql))
        say(f"  +{chunk.size:,} documents in {time.monotonic() - t1:.0f} s")
    say(f"grown from {current:,} to {db.documents():,} documents in {time.monotonic() - t0:.0f} s; vacuum analyze")
    for xmlid in FOLD_CRONS:
        fold(client, xmlid)
    t1 = time.monotonic()
    extra = db.sql("SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'"
                   " AND tablename LIKE 'l10n_cr_einvoice_%summary%'")
    db.sql(data.vacuum_sql([t for t in extra.split(",") if t]))
    say(f"vacuum analyze in {time.monotonic() - t1:.0f} s; database {db.size()}")


def fold(client: calls.WebClient, xmlid: str) -> None:
    module, name = xmlid.split(".")
    rows = client.call("ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], ["res_id"])
    if rows:
        t0 = time.monotonic()
        client.call("ir.cron", "method_direct_trigger", [rows[0]["res_id"]])
        say(f"ran {xmlid} in {time.monotonic() - t0:.1f} s")


def operations(db: Database, client: calls.WebClient, env, company_id: int) -> list[calls.Operation]:
    middle = db.documents() // 2
    clave, consecutivo = db.sql(
        "SELECT clave || '|' || consecutivo FROM l10n_cr_einvoice_document WHERE document_type = '01'"
        f" ORDER BY id OFFSET {middle // 2} LIMIT 1").split("|")
    today = dt.date.today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1))
    token = env.read(db.layout.secret("metrics-token"), "metrics token")
    ports = env.settings["ports"]
    return [
        calls.control_operation(client, client.rpc.uid),
        calls.list_operation(client, "analytics dashboard list, first page",
                             "l10n_cr_einvoice_analytics.action_l10n_cr_einvoice_analysis"),
        calls.graph_operation(client, "analytics graph (by month and state)",
                              "l10n_cr_einvoice_analytics.action_l10n_cr_einvoice_analysis"),
        calls.pivot_operation(client, "analytics pivot", "l10n_cr_einvoice_analytics.action_l10n_cr_einvoice_analysis"),
        calls.list_operation(client, '"Requieren atención" list (needs attention)',
                             "l10n_cr_einvoice_analytics.action_l10n_cr_einvoice_attention"),
        calls.pivot_operation(client, "taxes-by-rate pivot", "l10n_cr_einvoice_analytics.action_l10n_cr_einvoice_tax_breakdown"),
        calls.list_operation(client, "documents search by clave", "l10n_cr_einvoice.action_l10n_cr_einvoice_document",
                             extra_domain=lambda search: calls.field_search_domain(search, "name", clave)),
        calls.list_operation(client, "documents search by number (10 digits)",
                             "l10n_cr_einvoice.action_l10n_cr_einvoice_document",
                             extra_domain=lambda search: calls.field_search_domain(search, "name", consecutivo[-10:])),
        calls.list_operation(client, "invoice list, first page", "account.action_move_out_invoice_type"),
        calls.metrics_operation(f"http://{env.settings['hosts']['odoo']}:{ports['odoo']}/metrics", token),
        calls.monthly_report_operation(client, company_id, last_month.year, last_month.month),
    ]


def table(sizes: list[int], results: dict[int, dict[str, float]], names: list[str]) -> str:
    lines = ["| operation | " + " | ".join(f"{n:,}" for n in sizes) + " |",
             "|---|" + "---|" * len(sizes)]
    for name in names:
        cells = [f"{results[n][name]:.0f} ms" if name in results[n] else "" for n in sizes]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,200000,1000000",
                        help="documents, comma-separated, increasing (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="timed calls per operation (default: %(default)s)")
    parser.add_argument("--no-grow", action="store_true", help="time the database as it is")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(",")) if not args.no_grow else []

    env = from_environment()
    layout = Layout.from_environment()
    db = Database(layout, env.settings, env.database)
    rpc = OdooRPC(env.stack_url, env.database)  # through nginx, as the browser
    rpc.login(env.admin_login, env.admin_password())
    company_id = rpc.call("res.users", "read", [rpc.uid], ["company_id"])[0]["company_id"][0]
    client = calls.WebClient(rpc, {"lang": "en_US", "tz": env.settings["stack"]["timezone"], "uid": rpc.uid,
                                   "allowed_company_ids": [company_id]})
    results: dict[int, dict[str, float]] = {}
    names: list[str] = []
    for size in sizes or [None]:
        if size is not None:
            say(f"growing to {size:,} documents")
            grow(db, size, client)
        count = db.documents()
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        say(f"timing at {count:,} documents ({db.size()}), median of {args.runs} after one warm-up;"
            f" load average {load} on {os.cpu_count()} CPUs")
        results[count] = {}
        for op in operations(db, client, env, company_id):
            median, result = calls.timed(op.call, args.runs)
            results[count][op.name] = median
            if op.name not in names:
                names.append(op.name)
            say(f"  {op.name:<48} {median:8.1f} ms   ({op.check(result)})")
    print()
    print(table(sorted(results), results, names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
