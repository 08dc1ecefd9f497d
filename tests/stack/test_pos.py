"""Integration: a paid Point of Sale order issues its electronic document (Tiquete for an
anonymous customer, Factura for an identified one), accepted by Hacienda."""

from __future__ import annotations

import time
import uuid

import pytest
from einvoice_flow import partner, product, simulator_status

pytestmark = pytest.mark.stack


def _open_session(admin) -> tuple[dict, int]:
    configs = admin.search_read("pos.config", [], ["id", "name", "current_session_id", "payment_method_ids",
                                                   "pricelist_id"], order="id", limit=1)
    assert configs, "no point of sale configured"
    config = configs[0]
    if not config["current_session_id"]:
        admin.call("pos.config", "open_ui", [config["id"]])
        [config] = admin.call("pos.config", "read", [config["id"]], ["id", "name", "current_session_id",
                                                                      "payment_method_ids", "pricelist_id"])
    session_id = config["current_session_id"][0]
    [session] = admin.call("pos.session", "read", [session_id], ["state"])
    if session["state"] == "opening_control":
        admin.call("pos.session", "set_opening_control", [session_id], 0, "")
    return config, session_id


def _order(admin, config: dict, session_id: int, lines: list[tuple[str, float]], customer_ref: str | None) -> dict:
    methods = admin.call("pos.payment.method", "read", config["payment_method_ids"], ["is_cash_count", "split_transactions"])
    cash = next((m for m in methods if m["is_cash_count"] and not m["split_transactions"]), None)
    assert cash, f"{config['name']} has no cash payment method"
    order_lines, total, base = [], 0.0, 0.0
    for code, qty in lines:
        product_id = product(admin, code)
        [info] = admin.call("product.product", "read", [product_id], ["lst_price", "taxes_id"])
        rates = admin.call("account.tax", "read", info["taxes_id"], ["amount", "amount_type", "price_include"])
        assert all(r["amount_type"] == "percent" and not r["price_include"] for r in rates), rates
        subtotal = round(info["lst_price"] * qty, 2)
        incl = round(subtotal + sum(round(subtotal * r["amount"] / 100, 2) for r in rates), 2)
        base, total = base + subtotal, total + incl
        order_lines.append((0, 0, {"product_id": product_id, "qty": qty, "price_unit": info["lst_price"],
                                   "price_subtotal": subtotal, "price_subtotal_incl": incl,
                                   "tax_ids": [(6, 0, info["taxes_id"])], "discount": 0, "pack_lot_ids": []}))
    uid = str(uuid.uuid4())
    return {
        "uuid": uid, "name": f"Order {uid}", "session_id": session_id, "user_id": admin.uid,
        "pricelist_id": config["pricelist_id"] and config["pricelist_id"][0],
        "partner_id": partner(admin, customer_ref) if customer_ref else False,
        "lines": order_lines,
        "payment_ids": [(0, 0, {"payment_method_id": cash["id"], "amount": round(total, 2),
                                "name": time.strftime("%Y-%m-%d %H:%M:%S")})],
        "amount_paid": round(total, 2), "amount_total": round(total, 2), "amount_tax": round(total - base, 2),
        "amount_return": 0, "date_order": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "last_order_preparation_change": "{}", "to_invoice": False, "state": "paid",
    }


def _wait_pos_accepted(admin, order_id: int, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    order = {}
    while time.monotonic() < deadline:
        [order] = admin.call("pos.order", "read", [order_id], [
            "name", "state", "l10n_cr_state", "l10n_cr_document_type", "l10n_cr_clave",
            "l10n_cr_issue_error", "l10n_cr_problem"])
        if order["l10n_cr_state"] in ("accepted", "rejected", "error"):
            break
        time.sleep(1)
    assert order.get("l10n_cr_state") == "accepted", order
    return order


@pytest.mark.scenario(4, "POS transaction")
@pytest.mark.parametrize(("customer", "document_type"), [(None, "04"), ("STG-C03", "01")],
                         ids=["anonymous-tiquete", "identified-factura"])
def test_pos_order(env, admin, customer, document_type):
    """A paid POS order issues a Tiquete (anonymous) or a Factura (identified customer), accepted by Hacienda."""
    config, session_id = _open_session(admin)
    data = _order(admin, config, session_id, [("STG-P10", 2), ("STG-P09", 1)], customer)
    result = admin.call("pos.order", "sync_from_ui", [data])
    [order_id] = [o["id"] for o in result["pos.order"] if o.get("uuid") == data["uuid"]] or \
        [o["id"] for o in result["pos.order"]][-1:]
    order = _wait_pos_accepted(admin, order_id)
    assert order["state"] in ("paid", "done"), order["state"]
    assert order["l10n_cr_document_type"] == document_type
    assert simulator_status(env, order["l10n_cr_clave"])["ind-estado"] == "aceptado"
    # Orders sent by scripts and by tills each count their references from 1: the name stays unique.
    namesakes = admin.search_read("pos.order", [("config_id", "=", config["id"]), ("name", "=", order["name"])], ["id"])
    assert [o["id"] for o in namesakes] == [order_id], order["name"]
