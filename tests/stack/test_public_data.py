"""Hacienda's public data services in the running stack, end to end against the simulator
(scenario 9 of docs/user-guide.md): a partner filled from its identification, today's BCCR
rate stored by the cron and used by a dollar invoice, an expired exoneration refused at
posting, a CABYS code found by words."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import requests
from einvoice_flow import document, partner, product, wait_final
from einvoice_stack.odoo_rpc import OdooError

pytestmark = pytest.mark.stack

# The staging seed's simulator data (stack/einvoice_stack/seed_public_data.py).
NEW_TAXPAYER = "3101888777"
EXPIRED = "AL-00000777-24"
COSTA_RICA = timezone(timedelta(hours=-6))


def put_public_data(env, body: dict) -> dict:
    response = requests.put(env.simulator_url + "/_simulator/public-data", json=body,
                            headers=env.simulator_control_headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def cron(admin, xmlid: str) -> int:
    module, name = xmlid.split(".")
    [row] = admin.search_read("ir.model.data", [("module", "=", module), ("name", "=", name)], ["res_id"])
    return row["res_id"]


@pytest.mark.scenario(9, "Data from Hacienda's public services")
def test_new_partner_filled_from_its_identification(env, admin):
    """Typing a cédula in a new contact fills its registered name and activities; a customer in arrears is flagged."""
    [cr] = admin.search_read("res.country", [("code", "=", "CR")], ["id"])
    spec = {"name": {}, "vat": {}, "l10n_cr_taxpayer_checked": {}, "l10n_cr_taxpayer_state": {},
            "l10n_cr_id_type_id": {"fields": {"display_name": {}}},
            "l10n_cr_activity_id": {"fields": {"display_name": {}}},
            "l10n_cr_activity_ids": {"fields": {"display_name": {}}}}
    form = admin.call("res.partner", "onchange", [],
                      {"company_type": "company", "is_company": True, "country_id": cr["id"], "vat": NEW_TAXPAYER},
                      ["vat"], spec)["value"]
    assert form["name"] == "DISTRIBUIDORA LOS ALMENDROS SOCIEDAD ANONIMA", form
    assert form["l10n_cr_activity_id"]["display_name"].startswith("4690.0"), form
    assert form["l10n_cr_taxpayer_state"] == "Inscrito"
    partner_id = admin.call("res.partner", "create", [{
        "name": form["name"], "company_type": "company", "is_company": True, "country_id": cr["id"],
        "vat": NEW_TAXPAYER, "l10n_cr_activity_id": form["l10n_cr_activity_id"]["id"],
        "l10n_cr_taxpayer_checked": form["l10n_cr_taxpayer_checked"],
        "l10n_cr_taxpayer_state": form["l10n_cr_taxpayer_state"],
        # The web client sends back the links the onchange gave ([4, id, values]).
        "l10n_cr_activity_ids": [(6, 0, [command[1] for command in form["l10n_cr_activity_ids"]])]}])[0]
    [created] = admin.call("res.partner", "read", [partner_id], ["l10n_cr_activity_ids", "l10n_cr_id_type_id"])
    assert len(created["l10n_cr_activity_ids"]) == 2
    # A partner created by the API from its identification alone is filled at creation too.
    by_api = admin.call("res.partner", "create", [{"name": NEW_TAXPAYER, "vat": NEW_TAXPAYER, "is_company": True}])[0]
    [by_api] = admin.call("res.partner", "read", [by_api], ["name", "l10n_cr_taxpayer_checked"])
    assert by_api["name"] == "DISTRIBUIDORA LOS ALMENDROS SOCIEDAD ANONIMA" and by_api["l10n_cr_taxpayer_checked"]
    [arrears] = admin.call("res.partner", "read", [partner(admin, "STG-C06")],
                           ["l10n_cr_taxpayer_moroso", "l10n_cr_taxpayer_warning"])
    assert arrears["l10n_cr_taxpayer_moroso"] and arrears["l10n_cr_taxpayer_warning"], arrears


@pytest.mark.scenario(9, "Data from Hacienda's public services")
def test_todays_rate_stored_by_the_cron_and_used_by_a_dollar_invoice(env, admin):
    """The daily cron stores today's BCCR dollar rate (source shown); a dollar invoice of today carries it."""
    today = datetime.now(COSTA_RICA).date()
    selling = 612.34  # far from the seed's rates: only this test's rate can produce it
    # Tomorrow too, should Costa Rica's midnight pass during the test.
    put_public_data(env, {"today": None, "rates": [
        {"fecha": day.isoformat(), "dolar": {"compra": 605.0, "venta": selling}} for day in (today, today + timedelta(days=1))]})
    admin.call("ir.cron", "method_direct_trigger", [cron(admin, "l10n_cr_einvoice.ir_cron_l10n_cr_exchange_rates")])
    [usd] = admin.search_read("res.currency", [("name", "=", "USD")], ["id"])
    rates = admin.search_read("res.currency.rate", [("currency_id", "=", usd["id"]), ("name", "=", today.isoformat())],
                              ["inverse_company_rate", "l10n_cr_source"])
    assert rates and rates[0]["inverse_company_rate"] == pytest.approx(selling), rates
    assert rates[0]["l10n_cr_source"] == "hacienda"
    move_id = admin.call("account.move", "create", [{
        "move_type": "out_invoice", "partner_id": partner(admin, "STG-C03"), "currency_id": usd["id"],
        "invoice_date": today.isoformat(),
        "invoice_line_ids": [(0, 0, {"product_id": product(admin, "STG-S08"), "quantity": 2, "price_unit": 40})]}])[0]
    admin.call("account.move", "action_post", [move_id])
    [move] = wait_final(admin, [move_id]).values()
    assert move["l10n_cr_state"] == "accepted", move["l10n_cr_error"]
    doc = document(admin, move["l10n_cr_document_id"][0])
    [attachment] = admin.call("ir.attachment", "read", [doc["xml_attachment_id"][0]], ["datas"])
    root = ET.fromstring(base64.b64decode(attachment["datas"]))
    rate = next(e.text for e in root.iter() if e.tag.endswith("}TipoCambio"))
    assert Decimal(rate) == Decimal(str(selling)), rate


@pytest.mark.scenario(9, "Data from Hacienda's public services")
def test_expired_exoneration_refused_at_posting(env, admin):
    """An authorisation entered by its number is filled from Hacienda; expired, posting refuses it in plain words."""
    customer = partner(admin, "STG-C03")
    codes = {c["list_name"]: c["id"] for c in admin.search_read(
        "l10n_cr.einvoice.code", ["|", "&", ("list_name", "=", "exemption_types"), ("code", "=", "04"),
                                  "&", ("list_name", "=", "exemption_institutions"), ("code", "=", "01")],
        ["list_name"])}
    exoneration = admin.call("l10n_cr.einvoice.exoneration", "create", [{
        "partner_id": customer, "number": EXPIRED, "rate": 13, "issue_date": "2024-01-01",
        "document_type_id": codes["exemption_types"], "institution_id": codes["exemption_institutions"]}])[0]
    try:
        admin.call("l10n_cr.einvoice.exoneration", "action_l10n_cr_check_hacienda", [exoneration])
        [filled] = admin.call("l10n_cr.einvoice.exoneration", "read", [exoneration],
                              ["hacienda_status", "date_to", "holder_identification", "cabys_codes"])
        assert filled["hacienda_status"] == "confirmed", filled
        assert filled["date_to"] < datetime.now(COSTA_RICA).date().isoformat()
        [tax] = admin.search_read("account.tax", [("type_tax_use", "=", "sale"), ("l10n_cr_exonerated", "=", True),
                                                  ("amount", "=", 0)], ["id"], limit=1)
        move_id = admin.call("account.move", "create", [{
            "move_type": "out_invoice", "partner_id": customer,
            "invoice_line_ids": [(0, 0, {"product_id": product(admin, "STG-S01"), "quantity": 1,
                                         "tax_ids": [(6, 0, [tax["id"]])], "l10n_cr_exoneration_id": exoneration})]}])[0]
        with pytest.raises(OdooError) as refused:
            admin.call("account.move", "action_post", [move_id])
        message = refused.value.message
        assert EXPIRED in message and filled["date_to"] in message, message
        assert "Traceback" not in message
        [move] = admin.call("account.move", "read", [move_id], ["state", "l10n_cr_document_id"])
        assert move["state"] == "draft" and not move["l10n_cr_document_id"]
    finally:
        admin.call("l10n_cr.einvoice.exoneration", "write", [exoneration], {"active": False})


@pytest.mark.scenario(9, "Data from Hacienda's public services")
def test_cabys_code_found_by_words(env, admin):
    """Searching Hacienda's CABYS catalogue by words from a product gives codes; choosing one sets it on the product."""
    template = admin.call("product.template", "create", [{"name": "Jugo de tomate", "type": "consu"}])[0]
    try:
        action = admin.call("product.template", "action_l10n_cr_search_cabys", [template])
        [search] = admin.call("l10n_cr.cabys.search", "read", [action["res_id"]], ["line_ids", "total", "source_note"])
        lines = admin.call("l10n_cr.cabys.search.line", "read", search["line_ids"], ["code", "name"])
        codes = [line["code"] for line in lines]
        assert "2132100000200" in codes, (search, lines)
        assert "imported" not in search["source_note"] and "importado" not in search["source_note"], search
        chosen = next(line["id"] for line in lines if line["code"] == "2132100000200")
        admin.call("l10n_cr.cabys.search.line", "action_l10n_cr_choose", [chosen])
        [saved] = admin.call("product.template", "read", [template], ["l10n_cr_cabys_id"])
        assert saved["l10n_cr_cabys_id"] and saved["l10n_cr_cabys_id"][1].startswith("2132100000200"), saved
    finally:
        admin.call("product.template", "write", [template], {"active": False})
