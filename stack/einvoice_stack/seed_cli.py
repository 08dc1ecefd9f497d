"""scripts/stack-seed: configure the staging company and load the demo data (idempotent)."""

from __future__ import annotations

import json
import sys
import time

from einvoice_stack import certificate, seed_company, seed_data, seed_public_data
from einvoice_stack.odoo_rpc import OdooError, OdooRPC
from einvoice_stack.seed_env import SeedError, from_environment


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] stack-seed: {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip() + "\n\nEnvironment: see docs/operations.md (\"Seeding\") and docs/nix.md.")
        return 0
    t0 = time.monotonic()
    created: dict[str, int] = {}
    try:
        env = from_environment()
        if certificate.ensure(env):
            created["test certificate"] = 1
            _say(f"made the test certificate {env.certificate_file}")
        # Through Odoo directly: the seed also runs where nginx is on another machine.
        rpc = OdooRPC(env.odoo_url, env.database)
        rpc.wait_ready()
        rpc.authenticate(env.admin_login, env.admin_password())
        company = seed_company.configure(rpc, env)
        _say(f"company configured for Hacienda ({env.environment}): {company}")
        created.update({k: v for k, v in company.items() if v})
        company_id = rpc.ref("base.main_company")
        # Before the customers: created from their identification, they are filled from it.
        created["public data items"] = seed_public_data.seed_simulator(env)
        customers, n = seed_data.ensure_customers(rpc, env.settings["stack"]["lang"])
        created["customers"] = n
        products, created["CABYS codes"], created["products"] = seed_data.ensure_products(rpc, company_id)
        invoices, n = seed_data.ensure_invoices(rpc, customers, products)
        created["invoices"] = n
        _say(f"{len(customers)} customers, {len(products)} products, {len(invoices)} invoices posted; "
             "waiting for Hacienda's answers")
        seed_data.wait_accepted(rpc, invoices)
        created["exchange rates"] = seed_public_data.store_rates(rpc)
    except (SeedError, OdooError) as exc:
        print(f"stack-seed: error: {exc}", file=sys.stderr)
        return 2
    _say(f"done in {time.monotonic() - t0:.1f} s; created: "
         + (", ".join(f"{v} {k}" for k, v in created.items() if v) or "nothing (already seeded)"))
    if env.summary_file:
        env.summary_file.write_text(json.dumps({"created": created}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
