"""Supplier documents on the running staging stack, as a user tries them (docs/user-guide.md,
scenario 8): the demo supplier issues a Factura signed with a certificate of the stack's test
CA and sends it to Hacienda (the simulator) with `hacienda-cr`; the company imports it through
the upload dialog (JSON-RPC, as the web client), sees it checked at Hacienda, accepts it, and
its Mensaje Receptor is accepted by Hacienda. A document signed with a certificate of a CA of
one's own is refused, saying why, and leaves nothing behind."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from einvoice_flow import ACCEPT_TIMEOUT, simulator_token
from einvoice_stack import hacienda_cli, test_pki
from einvoice_stack.odoo_rpc import OdooError
from xsd_enumerations import xsd_dir

pytestmark = pytest.mark.stack

COSTA_RICA = timezone(timedelta(hours=-6))
EN = {"lang": "en_US"}  # the messages below are compared in English; the web client sends the user's language


@pytest.fixture(scope="module")
def supplier(env) -> dict:
    supplier = env.settings["hacienda"]["demo_supplier"]
    if env.settings["hacienda"]["environment"] != "simulator":
        pytest.skip("the stack does not talk to the simulator: it has no demo supplier")
    return supplier


@pytest.fixture(scope="module")
def hacienda_cr() -> list[str]:
    return hacienda_cli.command()


def run(cmd: list[str], **env: str) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"{' '.join(cmd[:3])}: exit {result.returncode}\n{result.stderr}{result.stdout}"
    return result


def certificate(hacienda_cr, tmp_path: Path, supplier: dict, ca: Path | None) -> tuple[Path, str]:
    """The supplier's .p12: issued by the CA in `ca` (a test PKI directory), or by a new CA."""
    pin = secrets.token_hex(12)
    p12 = tmp_path / f"supplier-{'stack-ca' if ca else 'own-ca'}.p12"
    issuer = ["--ca-cert", str(ca / test_pki.CA_CERT), "--ca-key", str(ca / test_pki.CA_KEY)] if ca else []
    run([*hacienda_cr, "testcert", "-o", str(p12), "--pin-env", "SUPPLIER_PIN", "--id-type", supplier["id_type"],
         "--id", supplier["id"], "--name", supplier["name"].upper(), *issuer], SUPPLIER_PIN=pin)
    return p12, pin


def signed_factura(hacienda_cr, tmp_path: Path, env, supplier: dict, p12: Path, pin: str) -> Path:
    """A Factura from the demo supplier to the staging company, built and signed by hacienda-cr."""
    hacienda = env.settings["hacienda"]
    number = time.time_ns() // 1000 % 10**10  # a new consecutivo (and clave) on every run
    document = {
        "FacturaElectronica": {
            "ProveedorSistemas": supplier["id"],
            "CodigoActividadEmisor": "4651.0",
            "FechaEmision": datetime.now(COSTA_RICA).replace(microsecond=0).isoformat(),
            "Emisor": {
                "Nombre": supplier["name"],
                "Identificacion": {"Tipo": supplier["id_type"], "Numero": supplier["id"]},
                "Ubicacion": {"Provincia": 1, "Canton": 1, "Distrito": 8, "OtrasSenas": "Bodega 4, zona industrial"},
                "CorreoElectronico": ["ventas@distribuidora-demo.test"],
            },
            "Receptor": {
                "Nombre": hacienda["emitter_name"],
                "Identificacion": {"Tipo": hacienda["emitter_id_type"], "Numero": hacienda["emitter_id"]},
            },
            "CondicionVenta": "01",
            "DetalleServicio": {"LineaDetalle": [{
                "CodigoCABYS": "3212100000100", "Cantidad": "10", "UnidadMedida": "Unid",
                "Detalle": "Papel bond carta, resma", "PrecioUnitario": "2500",
                "Impuesto": [{"Codigo": "01", "CodigoTarifaIVA": "08"}],
            }]},
            "ResumenFactura": {"MedioPago": [{"TipoMedioPago": "04"}]},
        },
        "Numeracion": {"Sucursal": 1, "Terminal": 1, "Numero": number, "CodigoSeguridad": f"{number % 10**8:08d}"},
    }
    source, unsigned = tmp_path / f"{p12.stem}.json", tmp_path / f"{p12.stem}.xml"
    signed = tmp_path / f"{p12.stem}-firmado.xml"
    source.write_text(json.dumps(document), encoding="utf-8")
    run([*hacienda_cr, "build", str(source), "-o", str(unsigned), "--xsd-dir", str(xsd_dir())])
    run([*hacienda_cr, "sign", str(unsigned), "--p12", str(p12), "--pin-env", "SUPPLIER_PIN", "-o", str(signed)],
        SUPPLIER_PIN=pin)
    return signed


def submit_as_supplier(hacienda_cr, env, supplier: dict, signed: Path) -> dict:
    """What the supplier's own system does: send it to Hacienda and wait for the answer."""
    result = run([*hacienda_cr, "submit", "--env", "simulator", "--api", env.simulator_url, "--idp", env.simulator_url,
                  "--user", supplier["simulator_user"], "--password-env", "SUPPLIER_PASSWORD", "--wait",
                  "--timeout", str(ACCEPT_TIMEOUT), "--out-dir", str(signed.parent), str(signed)],
                 SUPPLIER_PASSWORD=env.hacienda_password(supplier["simulator_user"]))
    return json.loads(result.stdout)


def upload(admin, signed: Path):
    """The upload dialog: the file is attached, then *Import* (the wizard's button)."""
    [attachment] = admin.call("ir.attachment", "create", [{
        "name": signed.name, "datas": base64.b64encode(signed.read_bytes()).decode(),
        "res_model": "l10n_cr.einvoice.received.upload", "res_id": 0}])
    [wizard] = admin.call("l10n_cr.einvoice.received.upload", "create", [{"attachment_ids": [(6, 0, [attachment])]}],
                          context=EN)
    return admin.call("l10n_cr.einvoice.received.upload", "action_l10n_cr_import", [wizard], context=EN)


def received(admin, domain) -> list[dict]:
    return admin.search_read("l10n_cr.einvoice.received", domain, [
        "name", "clave", "hacienda_state", "hacienda_response_attachment_id", "decision", "check_warnings", "signer",
        "move_id", "message_document_id"])


@pytest.mark.scenario(8, "Receive a supplier document")
def test_supplier_document_signed_by_the_stacks_test_ca_is_checked_at_hacienda_and_accepted(
        env, admin, supplier, hacienda_cr, tmp_path, figures):
    """The demo supplier's Factura (certificate of the stack's test CA, accepted by the simulator)
    is imported, found accepted at Hacienda, accepted by the company, and the Mensaje Receptor
    is accepted by Hacienda."""
    p12, pin = certificate(hacienda_cr, tmp_path, supplier, env.test_pki_dir)
    signed = signed_factura(hacienda_cr, tmp_path, env, supplier, p12, pin)
    answer = submit_as_supplier(hacienda_cr, env, supplier, signed)
    assert answer["state"] == "aceptado", answer

    action = upload(admin, signed)
    [doc] = received(admin, [("id", "=", action["res_id"])])
    assert doc["clave"] == answer["clave"]
    # checked at Hacienda (the simulator) on import, with the company's own credentials
    assert doc["hacienda_state"] == "aceptado" and doc["hacienda_response_attachment_id"], doc
    assert doc["decision"] == "pending" and doc["move_id"], doc
    assert doc["signer"].startswith(f"{supplier['id_type']}-{supplier['id']} "), doc["signer"]
    # trusted because the company works with the simulator, and said so on the document
    assert "trusted only because" in doc["check_warnings"] and "Hacienda simulator" in doc["check_warnings"], doc

    # Accept (the button opens the decision dialog, whose Confirm issues the Mensaje Receptor)
    opened = admin.call("l10n_cr.einvoice.received", "action_l10n_cr_decide", [doc["id"]],
                        context={**EN, "l10n_cr_decision": "accepted"})
    defaults = {key.removeprefix("default_"): value for key, value in opened["context"].items()
                if key.startswith("default_")}
    [decision] = admin.call("l10n_cr.einvoice.received.decision", "create", [{**defaults, "tax_condition": "01"}],
                            context=EN)
    started = time.monotonic()
    admin.call("l10n_cr.einvoice.received.decision", "action_l10n_cr_confirm", [decision], context=EN)
    [doc] = received(admin, [("id", "=", doc["id"])])
    assert doc["decision"] == "accepted" and doc["message_document_id"], doc
    message_id = doc["message_document_id"][0]

    def final():
        [message] = admin.call("l10n_cr.einvoice.document", "read", [message_id],
                               ["state", "consecutivo", "clave", "document_type", "error_message"])
        return message if message["state"] in ("accepted", "rejected", "error") else None

    message = admin.wait_for("the Mensaje Receptor answered by Hacienda", final, timeout=ACCEPT_TIMEOUT)
    assert message["state"] == "accepted", message
    assert message["clave"] == answer["clave"] and message["consecutivo"][8:10] == "05", message
    figures("supplier document: decision to the Mensaje Receptor accepted", time.monotonic() - started, "s")

    # and Hacienda (the simulator) has it: the company's answer to the supplier's document
    response = requests.get(f"{env.simulator_url}/recepcion/v1/recepcion/{answer['clave']}-{message['consecutivo']}",
                            headers={"Authorization": f"Bearer {simulator_token(env)}"}, timeout=30)
    assert response.status_code == 200 and response.json()["ind-estado"] == "aceptado", response.text


def test_supplier_document_signed_by_a_self_made_ca_is_refused(env, admin, supplier, hacienda_cr, tmp_path):
    """Anyone can make a certificate naming the supplier with a CA of their own: its signature
    verifies, Hacienda (the simulator, which checks no chain) even accepts it, but it does not
    chain to the national PKI nor to the stack's test CA, so the import refuses it."""
    p12, pin = certificate(hacienda_cr, tmp_path, supplier, None)
    signed = signed_factura(hacienda_cr, tmp_path, env, supplier, p12, pin)
    clave = submit_as_supplier(hacienda_cr, env, supplier, signed)["clave"]
    with pytest.raises(OdooError) as refused:
        upload(admin, signed)
    message = str(refused.value)
    assert f"{signed.name} is signed with a certificate that neither Costa Rica's national certification " \
           "authorities (Firma Digital, CA SINPE) nor Hacienda issued" in message, message
    assert received(admin, [("clave", "=", clave)]) == []
