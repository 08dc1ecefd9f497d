"""Driving the e-invoicing flow of the running stack the way a user does (JSON-RPC as the
web client), and looking at what came out of it: the simulator, the mail sink."""

from __future__ import annotations

import email
import email.policy
import mailbox
import time
from pathlib import Path

import requests
from einvoice_stack.odoo_rpc import OdooRPC

ACCEPT_TIMEOUT = 240


def partner(admin: OdooRPC, ref: str) -> int:
    rows = admin.search_read("res.partner", [("ref", "=", ref)], ["id"])
    assert rows, f"seed customer {ref} missing: was scripts/stack-seed run?"
    return rows[0]["id"]


def product(admin: OdooRPC, code: str) -> int:
    rows = admin.search_read("product.product", [("default_code", "=", code)], ["id"])
    assert rows, f"seed product {code} missing: was scripts/stack-seed run?"
    return rows[0]["id"]


def create_invoice(admin: OdooRPC, customer_ref: str, lines: list[tuple[str, float, float]], **values) -> int:
    """A draft customer invoice: lines are (product code, quantity, discount %)."""
    return admin.call("account.move", "create", [{
        "move_type": "out_invoice",
        "partner_id": partner(admin, customer_ref),
        "invoice_line_ids": [(0, 0, {"product_id": product(admin, code), "quantity": qty, "discount": disc})
                             for code, qty, disc in lines],
        **values,
    }])[0]


def post(admin: OdooRPC, move_ids: list[int]) -> None:
    admin.call("account.move", "action_post", move_ids)


def einvoice(admin: OdooRPC, move_id: int) -> dict:
    [move] = admin.call("account.move", "read", [move_id], [
        "name", "state", "l10n_cr_state", "l10n_cr_clave", "l10n_cr_consecutivo",
        "l10n_cr_error", "l10n_cr_document_id", "l10n_cr_document_type",
        "amount_total", "partner_id"])
    return move


def wait_final(admin: OdooRPC, move_ids: list[int], timeout: float = ACCEPT_TIMEOUT) -> dict[int, dict]:
    """Wait until every move's e-invoice is accepted, rejected or in error; return them."""
    deadline = time.monotonic() + timeout
    moves: dict[int, dict] = {}
    while time.monotonic() < deadline:
        moves = {m: einvoice(admin, m) for m in move_ids}
        if all(m["l10n_cr_state"] in ("accepted", "rejected", "error") for m in moves.values()):
            return moves
        time.sleep(1)
    states = {m["name"]: m["l10n_cr_state"] for m in moves.values()}
    raise AssertionError(f"e-invoices not answered within {timeout:.0f} s: {states}")


def document(admin: OdooRPC, doc_id: int) -> dict:
    [doc] = admin.call("l10n_cr.einvoice.document", "read", [doc_id], [
        "state", "clave", "consecutivo", "document_type", "xml_attachment_id", "response_attachment_id",
        "email_sent", "hacienda_status", "error_message"])
    return doc


# ------------------------------------------------------------------ the simulator
def simulator_token(env) -> str:
    user, password = env.hacienda_credentials
    response = requests.post(
        env.simulator_url + "/auth/realms/rut-stag/protocol/openid-connect/token",
        data={"grant_type": "password", "client_id": "api-stag", "username": user, "password": password},
        timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def simulator_status(env, clave: str) -> dict:
    response = requests.get(env.simulator_url + f"/recepcion/v1/recepcion/{clave}",
                            headers={"Authorization": f"Bearer {simulator_token(env)}"}, timeout=30)
    assert response.status_code == 200, f"{clave}: HTTP {response.status_code} {response.text[:200]}"
    return response.json()


def simulator_stats(env) -> dict:
    return requests.get(env.simulator_url + "/_simulator/stats", headers=env.simulator_control_headers,
                        timeout=30).json()


def simulator_faults(env, body: dict) -> dict:
    response = requests.put(env.simulator_url + "/_simulator/faults", json=body,
                            headers=env.simulator_control_headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


# ------------------------------------------------------------------ the mail sink
def wait_mail(maildir: Path, recipient: str, subject_parts: tuple[str, ...],
              timeout: float = 180) -> email.message.EmailMessage:
    """The message the SMTP sink caught for `recipient` whose subject names one of `subject_parts`."""
    assert maildir.is_dir(), f"the SMTP sink's Maildir {maildir} does not exist (STACK_MAILDIR)"
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        box = mailbox.Maildir(maildir, factory=None, create=False)
        seen = []
        for key in box.keys():
            with box.get_file(key) as fh:
                message = email.message_from_binary_file(fh, policy=email.policy.default)
            seen.append(f"{message['To']}: {message['Subject']}")
            subject = message["Subject"] or ""
            if recipient in (message.get("X-Sink-Rcpt-To") or "") and any(p and p in subject for p in subject_parts):
                return message
        time.sleep(2)
    raise AssertionError(f"no e-mail to {recipient} about {' or '.join(subject_parts)} within {timeout:.0f} s; "
                         f"the sink holds {len(seen)}: {seen[-5:]}")


def attachment_names(message: email.message.EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()}
