"""Integration: the e-invoicing flows of the running stack, end to end (Odoo through nginx,
the Hacienda simulator, Redis, the SMTP sink). Scenarios of docs/user-guide.md are marked."""

from __future__ import annotations

import base64
import io
import re
import secrets
import xml.etree.ElementTree as ET

import pytest
import requests
from einvoice_flow import (
    attachment_names,
    create_invoice,
    document,
    post,
    simulator_faults,
    simulator_stats,
    simulator_status,
    wait_final,
    wait_mail,
)
from einvoice_stack.odoo_rpc import OdooError, OdooRPC
from service_probes import redis_command, redis_keys

pytestmark = pytest.mark.stack

CLAVE = re.compile(r"506\d{47}")
CONSECUTIVO = re.compile(r"\d{20}")


def _signed_xml(admin, move: dict) -> ET.Element:
    doc = document(admin, move["l10n_cr_document_id"][0])
    [attachment] = admin.call("ir.attachment", "read", [doc["xml_attachment_id"][0]], ["datas"])
    return ET.fromstring(base64.b64decode(attachment["datas"]))


def _pdf_text(pdf: bytes) -> str:
    """The text of a PDF's pages without whitespace (extraction cuts lines where it likes)."""
    from PyPDF2 import PdfReader

    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def _accepted(admin, move_id: int) -> dict:
    [move] = wait_final(admin, [move_id]).values()
    assert move["l10n_cr_state"] == "accepted", (move["name"], move["l10n_cr_error"])
    return move


@pytest.mark.scenario(1, "Create and submit a basic invoice")
def test_invoice_workflow(env, admin, figures):
    """Invoice created, posted, signed, accepted by Hacienda, PDF printed, e-mailed with PDF, XML and answer."""
    move_id = create_invoice(admin, "STG-C03", [("STG-S01", 3, 0), ("STG-P02", 2, 0)])
    post(admin, [move_id])
    move = _accepted(admin, move_id)
    assert CLAVE.fullmatch(move["l10n_cr_clave"] or ""), move["l10n_cr_clave"]
    assert CONSECUTIVO.fullmatch(move["l10n_cr_consecutivo"] or "")
    assert move["l10n_cr_document_type"] == "01"  # Factura Electrónica
    # Hacienda's side agrees: the simulator holds it, accepted, with its signed answer.
    status = simulator_status(env, move["l10n_cr_clave"])
    assert status["ind-estado"] == "aceptado"
    answer = ET.fromstring(base64.b64decode(status["respuesta-xml"]))
    assert answer.tag.endswith("MensajeHacienda")
    doc = document(admin, move["l10n_cr_document_id"][0])
    assert doc["xml_attachment_id"] and doc["response_attachment_id"]
    # The PDF through nginx, as a user prints it: whatever wkhtmltopdf prints of the page header,
    # its text (as a reader's tools extract it) names the issuer and the document.
    pdf = admin.get(f"/report/pdf/account.report_invoice/{move_id}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.headers.get("Content-Type")
    figures("invoice PDF size", len(pdf.content) / 1024, "KiB")
    text = _pdf_text(pdf.content)
    hacienda = env.settings["hacienda"]
    for value in (hacienda["emitter_name"], hacienda["emitter_id"], move["l10n_cr_clave"],
                  move["l10n_cr_consecutivo"]):
        assert re.sub(r"\s+", "", value) in text, (value, text[:500])
    # The customer's e-mail, caught by the SMTP sink, with the three attachments.
    [customer] = admin.call("res.partner", "read", [move["partner_id"][0]], ["email"])
    # The subject names the invoice or its Hacienda number (consecutivo).
    message = wait_mail(env.maildir, customer["email"], (move["name"], move["l10n_cr_consecutivo"]))
    names = attachment_names(message)
    assert any(n.lower().endswith(".pdf") and c.startswith(b"%PDF") for n, c in names.items()), list(names)
    xmls = {n: c for n, c in names.items() if n.lower().endswith(".xml")}
    assert any(move["l10n_cr_clave"] in n or b"<ds:Signature" in c or b"Signature" in c
               for n, c in xmls.items()), list(names)
    assert any(b"MensajeHacienda" in c for c in xmls.values()), "Hacienda's answer is not attached"


@pytest.mark.scenario(2, "Invoice with discounts")
def test_invoice_with_discounts(env, admin):
    """Line discounts reach the XML (MontoDescuento, CodigoDescuento) and Hacienda accepts them."""
    move_id = create_invoice(admin, "STG-C04", [("STG-S02", 10, 15), ("STG-P05", 2, 5), ("STG-P03", 1, 0)])
    post(admin, [move_id])
    move = _accepted(admin, move_id)
    root = _signed_xml(admin, move)
    xml = ET.tostring(root)
    ns = {"fe": root.tag[1:].split("}")[0]}
    discounts = root.findall(".//fe:LineaDetalle/fe:Descuento", ns)
    assert len(discounts) == 2, xml[:2000]
    amounts = sorted(float(d.find("fe:MontoDescuento", ns).text) for d in discounts)
    # 15% of 10 x 30,000 and 5% of 2 x 52,000 (the seed's list prices)
    assert amounts == pytest.approx([5200.0, 45000.0]), amounts
    assert all(d.find("fe:CodigoDescuento", ns) is not None for d in discounts)
    total_discount = float(root.find(".//fe:ResumenFactura/fe:TotalDescuentos", ns).text)
    assert total_discount == pytest.approx(50200.0)


@pytest.mark.scenario(3, "Credit note creation")
def test_credit_note(env, admin):
    """A credit note reversing an accepted invoice is a Nota de Crédito referencing it, accepted."""
    move_id = create_invoice(admin, "STG-C01", [("STG-P01", 1, 0)])
    post(admin, [move_id])
    invoice = _accepted(admin, move_id)
    [original] = admin.call("account.move", "read", [move_id], ["journal_id"])
    wizard = admin.call("account.move.reversal", "create",
                        [{"reason": "Devolución del equipo", "journal_id": original["journal_id"][0]}],
                        context={"active_model": "account.move", "active_ids": [move_id]})[0]
    action = admin.call("account.move.reversal", "refund_moves", [wizard],
                        context={"active_model": "account.move", "active_ids": [move_id]})
    refund_id = action.get("res_id") or admin.search_read(
        "account.move", [("reversed_entry_id", "=", move_id)], ["id"])[0]["id"]
    post(admin, [refund_id])
    refund = _accepted(admin, refund_id)
    assert refund["l10n_cr_document_type"] == "03"  # Nota de Crédito Electrónica
    assert simulator_status(env, refund["l10n_cr_clave"])["ind-estado"] == "aceptado"
    assert refund["amount_total"] == pytest.approx(invoice["amount_total"])
    # What Hacienda sees: the signed Nota de Crédito refers to the invoice's clave.
    root = _signed_xml(admin, refund)
    ns = {"d": root.tag[1:].split("}")[0]}
    reference = root.find("d:InformacionReferencia", ns)
    assert reference is not None, "no InformacionReferencia in the credit note"
    assert reference.find("d:Numero", ns).text == invoice["l10n_cr_clave"]
    assert reference.find("d:TipoDocIR", ns).text == "01"
    # The reason Hacienda reads is the one given, not Odoo's "Reversal of: …" reference.
    assert reference.find("d:Razon", ns).text == "Devolución del equipo"


@pytest.mark.scenario(5, "Bulk operations")
def test_bulk_posting(env, admin, figures):
    """Several invoices posted at once: all accepted, consecutive numbers without gaps, distinct claves."""
    import time

    move_ids = [create_invoice(admin, ref, [("STG-S09", n + 1, 0)])
                for n, ref in enumerate(["STG-C01", "STG-C02", "STG-C05", "STG-C06", "STG-C08"])]
    t0 = time.monotonic()
    post(admin, move_ids)
    moves = wait_final(admin, move_ids)
    figures("bulk: 5 invoices posted to all accepted", time.monotonic() - t0, "s")
    assert {m["l10n_cr_state"] for m in moves.values()} == {"accepted"}
    claves = [m["l10n_cr_clave"] for m in moves.values()]
    assert len(set(claves)) == len(claves)
    numbers = sorted(int(m["l10n_cr_consecutivo"][10:]) for m in moves.values())
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), numbers


@pytest.mark.scenario(6, "Error handling")
def test_error_handling_recovers_without_duplicates(env, admin, figures):
    """With the simulator failing (reset after recording, 5xx, 429, token outage) the queue recovers and sends nothing twice."""
    import time

    before = simulator_stats(env)
    simulator_faults(env, {"replace": True, "clear_next": True, "next": [
        {"kind": "token_outage", "endpoint": "token"},
        {"kind": "reset_after", "endpoint": "submit"},
        {"kind": "server_error", "endpoint": "status"},
        {"kind": "rate_limit", "endpoint": "submit"},
    ]})
    # Token outages only bite when a token is requested: start from none.
    requests.post(env.simulator_url + "/_simulator/revoke-tokens", headers=env.simulator_control_headers,
                  timeout=30)
    try:
        move_ids = [create_invoice(admin, "STG-C02", [("STG-P07", 2, 0)]),
                    create_invoice(admin, "STG-C05", [("STG-S08", 3, 0)])]
        t0 = time.monotonic()
        post(admin, move_ids)
        moves = wait_final(admin, move_ids, timeout=600)
        figures("error handling: 2 invoices through 4 injected faults, accepted after", time.monotonic() - t0, "s")
    finally:
        simulator_faults(env, {"replace": True, "clear_next": True})
    assert {m["l10n_cr_state"] for m in moves.values()} == {"accepted"}, \
        {m["name"]: (m["l10n_cr_state"], m["l10n_cr_error"]) for m in moves.values()}
    after = simulator_stats(env)
    injected = {k: v - before["faults_injected"].get(k, 0) for k, v in after["faults_injected"].items()}
    assert sum(injected.values()) >= 3, f"the faults did not happen: {after['faults_injected']}"
    assert after["stored"]["documents"] - before["stored"]["documents"] == 2
    assert after["stored"]["duplicate_posts"] == before["stored"]["duplicate_posts"], "a document was sent twice"
    for move in moves.values():
        assert simulator_status(env, move["l10n_cr_clave"])["ind-estado"] == "aceptado"


def test_hacienda_configuration(env, admin):
    """The company is configured for the settings' Hacienda environment: API user, valid certificate, activity, provider."""
    hacienda = env.settings["hacienda"]
    [company] = admin.search_read("res.company", [("vat", "=", hacienda["emitter_id"])], [
        "name", "l10n_cr_enabled", "l10n_cr_environment", "l10n_cr_username",
        "l10n_cr_certificate_id", "l10n_cr_id_type_id", "l10n_cr_activity_id",
        "l10n_cr_provider_id", "country_id", "currency_id"])
    user, _ = env.hacienda_credentials
    assert company["l10n_cr_enabled"]
    assert company["l10n_cr_environment"] == hacienda["environment"]
    assert company["l10n_cr_username"] == user
    assert company["l10n_cr_provider_id"] == hacienda["emitter_id"]
    assert company["l10n_cr_activity_id"], "no economic activity"
    assert company["currency_id"][1] == "CRC"
    [id_type] = admin.call("l10n_cr.einvoice.code", "read", [company["l10n_cr_id_type_id"][0]], ["code"])
    assert id_type["code"] == hacienda["emitter_id_type"]
    [cert] = admin.call("certificate.certificate", "read", [company["l10n_cr_certificate_id"][0]],
                        ["is_valid", "scope", "date_end", "subject_common_name", "loading_error"])
    assert cert["is_valid"] and cert["scope"] == "l10n_cr_einvoice" and not cert["loading_error"], cert
    # Odoo reaches the simulator with these credentials, sharing its token through Redis.
    stats = simulator_stats(env)
    assert sum(stats["tokens_issued"].values()) >= 1
    prefix = env.settings["redis"]["key_prefix"]
    keys = redis_keys(env.host("redis"), env.port("redis"), prefix + "*", password=env.redis_password)
    assert keys, f"no Redis key under {prefix!r}: the token cache is not shared through Redis"
    ttl = redis_command(env.host("redis"), env.port("redis"), "PTTL", keys[0], password=env.redis_password)
    assert ttl.startswith(b":") and int(ttl[1:]) != -1, f"{keys[0]} never expires ({ttl!r})"


# XSD enumeration behind each code list of the addon, named as in the schemas
# (complexType/simpleType[.element]); both schema sets are compared.
CODE_LISTS = {
    "identification_types": "IdentificacionType.Tipo",
    "sale_conditions": "FacturaElectronica.CondicionVenta",
    "payment_methods": "MedioPago.TipoMedioPago",
    "tax_codes": "CodigoImpuestoType",
    "iva_rate_codes": "CodigoTarifaIVAType",
    "discount_codes": "CodigoDescuentoType",
    "exemption_types": "TipoExoneracionType",
    "exemption_institutions": "ExoneracionType.NombreInstitucion",
    "units": "UnidadMedidaType",
    "reference_document_types": "TipoDocReferenciaType",
    "reference_codes": "CodigoReferenciaType",
    "other_charge_types": "TipoDocOtrosCargosType",
    "transaction_types": "TipoTransaccionType",
    "commercial_code_types": "CodigoType.Tipo",
}


def test_code_lists_complete_against_the_xsd(env, admin, xsd_enumerations, report_note):
    """Every code list in Odoo holds exactly the codes the XSD enumerations allow (both schema sets)."""
    rows = admin.search_read("l10n_cr.einvoice.code", [], ["list_name", "code"], context={"active_test": False})
    in_odoo: dict[str, set[str]] = {}
    for row in rows:
        in_odoo.setdefault(row["list_name"], set()).add(row["code"])
    problems = {}
    checked = 0
    for list_name, xsd_key in CODE_LISTS.items():
        expected = xsd_enumerations.get(xsd_key)
        assert expected, f"no enumeration {xsd_key} in the XSDs"
        have = in_odoo.get(list_name, set())
        missing, extra = expected - have, have - expected
        checked += len(expected)
        if missing or extra:
            problems[list_name] = {"missing": sorted(missing), "not in the XSD": sorted(extra)}
    report_note(f"code lists: {len(CODE_LISTS)} lists, {checked} XSD codes compared with Odoo's records")
    assert not problems, problems


def test_plain_user_cannot_read_certificate_or_api_password(env, admin):
    """An invoicing user (not an accounting manager) can invoice but not read the certificate or the API password."""
    login = "stg-plain-user"
    password = secrets.token_urlsafe(18)
    groups = [admin.call("ir.model.data", "check_object_reference", "account", "group_account_invoice")[1],
              admin.call("ir.model.data", "check_object_reference", "base", "group_user")[1]]
    users = admin.search_read("res.users", [("login", "=", login)], ["id"], context={"active_test": False})
    values = {"password": password, "group_ids": [(6, 0, groups)], "active": True}
    if users:
        admin.call("res.users", "write", [users[0]["id"]], values)
    else:
        admin.call("res.users", "create", [{"name": "Staging plain user", "login": login, **values}])
    user = OdooRPC(env.stack_url, env.database)
    user.authenticate(login, password)
    # A working user: sees invoices.
    assert user.search_read("account.move", [("move_type", "=", "out_invoice")], ["name"], limit=1)
    company_id = admin.search_read("res.company", [("vat", "=", env.settings["hacienda"]["emitter_id"])], ["id"])[0]["id"]
    with pytest.raises(OdooError, match=r"(?i)access|not allowed|rights"):
        user.call("res.company", "read", [company_id], ["l10n_cr_password"])
    [cert_ref] = admin.call("res.company", "read", [company_id], ["l10n_cr_certificate_id"])
    cert_id = cert_ref["l10n_cr_certificate_id"][0]
    with pytest.raises(OdooError, match=r"(?i)access|not allowed|rights"):
        user.call("certificate.certificate", "read", [cert_id], ["content", "pkcs12_password"])
    with pytest.raises(OdooError, match=r"(?i)access|not allowed|rights"):
        user.call("res.company", "read", [company_id], ["l10n_cr_certificate_id"])
    try:
        attachments = user.search_read("ir.attachment", [("res_model", "=", "certificate.certificate")], ["id"])
    except OdooError as exc:
        assert "access" in str(exc).lower(), exc
    else:
        assert attachments == [], "the certificate's file is readable as an attachment"
    content = user.get(f"/web/content/certificate.certificate/{cert_id}/content")
    assert content.status_code in (403, 404) or not content.content.startswith(b"0\x82"), content.status_code
