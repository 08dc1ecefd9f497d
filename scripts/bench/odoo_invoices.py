#!/usr/bin/env python3
"""Benchmark of the Odoo addon: posting (consecutivo, build, XSD check, signing, queueing) and
draining the queue against the Hacienda simulator (submit + status until accepted).

It runs Odoo in-process on a throwaway database that has l10n_cr_einvoice installed, e.g.::

    scripts/odoo-test -m l10n_cr_einvoice -t /l10n_cr_einvoice:TestCodeData \\
        --keep-db --keep-cluster --db l10n_cr_bench
    runuser -u odoo -- .venv/bin/python scripts/bench/odoo_invoices.py --db l10n_cr_bench -n 200
    runuser -u odoo -- /usr/lib/postgresql/15/bin/pg_ctl -D .var/odoo-test/pg stop   # afterwards

It creates (and commits) a company of its own, starts the simulator on a free port, posts N
invoices one transaction each (as users do), then runs the queue the way the cron does (per
document commits) until every document is accepted, and prints the figures. Nothing is
asserted: the numbers are for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database with l10n_cr_einvoice installed (it is modified)")
    parser.add_argument("--db-host", default=str(REPO / ".var" / "odoo-test" / "run"))
    parser.add_argument("--db-port", default="5442")
    parser.add_argument("--odoo-src", default=os.environ.get("ODOO_SRC", "/opt/odoo19"))
    parser.add_argument("-n", "--invoices", type=int, default=200)
    parser.add_argument("--lines", type=int, default=3, help="lines per invoice")
    parser.add_argument("--processing-delay", type=float, default=0.0, help="simulator: recibido → final (s)")
    parser.add_argument(
        "--xsd-dir",
        default=os.environ.get("HACIENDA_XSD_DIR")
        or str(Path(os.environ.get("HACIENDA_SHARED_DIR") or REPO.parent / "shared" / "hacienda") / "xsd"),
    )
    return parser.parse_args(argv)


def start_odoo(args):
    sys.path.insert(0, args.odoo_src)
    from odoo.tools import config

    config.parse_config([
        "-d", args.db, f"--db_host={args.db_host}", f"--db_port={args.db_port}",
        f"--addons-path={args.odoo_src}/addons,{args.odoo_src}/odoo/addons,{REPO / 'addon'}",
        "--log-level=warn",
    ])
    config["l10n_cr_einvoice_schema_dir"] = args.xsd_dir
    from odoo.modules.registry import Registry

    return Registry(args.db)


def setup(env, certificate, pin, username, password):
    from odoo import Command

    company = env["res.company"].create({
        "name": f"Empresa Benchmark {int(time.time())}",
        "country_id": env.ref("base.cr").id,
        "currency_id": env.ref("base.CRC").id,
    })
    env.user.company_ids |= company
    env = env(context={**env.context, "allowed_company_ids": [company.id]})
    env["account.chart.template"].try_loading("cr", company=company, install_demo=False)
    codes = env["l10n_cr.einvoice.code"]
    company.write({
        "vat": "3101123456",
        "email": "facturacion@benchmark.cr",
        "street": "Avenida central, local 1",
        "state_id": env.ref("base.state_SJ").id,
        "l10n_cr_canton_code": "01",
        "l10n_cr_district_code": "01",
        "l10n_cr_enabled": True,
        "l10n_cr_environment": "simulator",
        "l10n_cr_username": username,
        "l10n_cr_password": password,
        "l10n_cr_auto_email": False,
        "l10n_cr_id_type_id": codes._l10n_cr_get("identification_types", "02").id,
        "l10n_cr_activity_id": env.ref("l10n_cr_einvoice.activity_6201_0").id,
    })
    company.l10n_cr_set_certificate(base64.b64encode(certificate), pin)
    partner = env["res.partner"].create({
        "name": "Cliente Benchmark S.A.", "vat": "3102654321", "email": "cliente@benchmark.cr",
        "country_id": env.ref("base.cr").id,
    })
    Cabys = env["l10n_cr.cabys"].with_context(active_test=False)
    cabys = Cabys.search([("code", "=", "8314100000000")]) or Cabys.create(
        {"code": "8314100000000", "name": "Servicios de software"})
    product = env["product.product"].create({
        "name": "Servicio", "type": "service", "l10n_cr_cabys_id": cabys.id,
        "taxes_id": [Command.set(company.account_sale_tax_id.ids)],
    })
    return company.id, partner.id, product.id


def main(argv=None) -> int:
    args = parse_args(argv)
    from hacienda_cr.signing import make_test_certificate
    from hacienda_cr.simulator.process import SimulatorProcess

    registry = start_odoo(args)
    from odoo import Command, api, fields
    from odoo.tools import config

    username, password, pin = "cpj-3-101-123456@stag.comprobanteselectronicos.go.cr", "benchmark", "1234"
    tmp = Path(tempfile.mkdtemp(prefix="odoo-bench-sim-"))
    simulator = SimulatorProcess(
        db=tmp / "sim.sqlite3", users=[f"{username}:{password}"], xsd_dir=Path(args.xsd_dir),
        extra=["--processing-delay", str(args.processing_delay)], log_path=tmp / "sim.log",
    ).start()
    config["l10n_cr_einvoice_simulator_url"] = simulator.url
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, 2, {})
            company_id, partner_id, product_id = setup(
                env, make_test_certificate("02", "3101123456", pin=pin), pin, username, password)
        context = {"allowed_company_ids": [company_id], "l10n_cr_einvoice_allow_commit": True}

        def drafts(count):
            with registry.cursor() as cr:
                env = api.Environment(cr, 2, context)
                return env["account.move"].create([{
                    "move_type": "out_invoice", "partner_id": partner_id, "invoice_date": fields.Date.today(),
                    "invoice_line_ids": [Command.create({"product_id": product_id, "quantity": 1 + i % 5,
                                                         "price_unit": 1000 + 10 * line, "discount": 5 * (line % 2)})
                                         for line in range(args.lines)],
                } for i in range(count)]).ids

        def post_each(move_ids):
            """Seconds per posting, one transaction each (as users post)."""
            times = []
            with registry.cursor() as cr:
                env = api.Environment(cr, 2, context)
                for move_id in move_ids:
                    started = time.perf_counter()
                    env["account.move"].browse(move_id).action_post()
                    cr.commit()
                    times.append(time.perf_counter() - started)
            return times

        def set_enabled(enabled):
            with registry.cursor() as cr:
                api.Environment(cr, 2, context)["res.company"].browse(company_id).l10n_cr_enabled = enabled

        # Odoo's own posting, without electronic documents, as the baseline.
        set_enabled(False)
        baseline_times = post_each(drafts(args.invoices))
        set_enabled(True)
        # Posting with them: consecutivo, XML, XSD validation, signature, attachment, queue.
        post_times = post_each(drafts(args.invoices))

        # Draining: the cron's work (submit, then follow until accepted), committing per document.
        # A run ends when nothing is due and names its next run (the cron's wake-up): this loop
        # waits for it, as a cron worker would.
        started = time.perf_counter()
        runs = 0
        while True:
            with registry.cursor() as cr:
                env = api.Environment(cr, 2, context)
                stats = env["l10n_cr.einvoice.document"]._l10n_cr_process_queue(time_budget=600)
                runs += 1
                states = dict(env["l10n_cr.einvoice.document"]._read_group(
                    [("company_id", "=", company_id)], ["state"], ["__count"]))
            if states.get("to_send", 0) + states.get("sent", 0) == 0 or time.perf_counter() - started > 900:
                break
            if stats["next_run"]:
                time.sleep(max(0.0, (stats["next_run"] - fields.Datetime.now()).total_seconds()))
        drain = time.perf_counter() - started
        accepted = states.get("accepted", 0)
        stats = simulator.stats()
    finally:
        simulator.stop()

    def summary(times):
        ms = [t * 1000 for t in times]
        return (f"mean {statistics.mean(ms):.1f} ms, median {statistics.median(ms):.1f} ms, "
                f"p95 {sorted(ms)[int(len(ms) * 0.95) - 1]:.1f} ms, first {ms[0]:.1f} ms")

    print(f"invoices: {args.invoices} ({args.lines} lines each), simulator processing delay {args.processing_delay:g} s")
    print(f"posting without e-invoicing (Odoo alone): {summary(baseline_times)}")
    print(f"posting with e-invoicing (+ consecutivo, build, XSD, sign, queue): {summary(post_times)}")
    print(f"e-invoicing share of posting: {1000 * (statistics.mean(post_times) - statistics.mean(baseline_times)):.1f} ms "
          "per invoice (mean difference)")
    print(f"draining: {accepted} accepted in {drain:.2f} s = {accepted / drain:.1f} accepted/s "
          f"({runs} queue run(s)); states {states}")
    print(f"simulator: documents {stats['stored']['documents']}, duplicate POSTs {stats['stored']['duplicate_posts']}, "
          f"requests {stats['requests_by_endpoint']}")
    return 0 if accepted == args.invoices else 1


if __name__ == "__main__":
    sys.exit(main())
