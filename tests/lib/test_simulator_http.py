"""The simulator over raw HTTP: tokens, the gate (400/401/403), judging, answers, state, metrics.

These tests speak HTTP directly (``requests``) so the simulator is checked on its own,
independently of the client that the other suites exercise against it.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from api_fixtures import (
    OTHER,
    OTHER_PASSWORD,
    OTHER_USER,
    PASSWORD,
    USER,
    numbered,
    signed,
    signing_key,
    start_simulator,
    stop_cleanly,
    stored_rows,
)
from prometheus_client.parser import text_string_to_metric_families

from hacienda_cr.api import envelope_for
from hacienda_cr.documents import build_document, parse_document
from hacienda_cr.signing import sign_xml, verify_xml
from hacienda_cr.validation import validate_document

REALM_TOKEN = "/auth/realms/rut-stag/protocol/openid-connect/token"
SUBMIT = "/recepcion/v1/recepcion"


@pytest.fixture(scope="module")
def sim(tmp_path_factory, xsd_dir):
    process = start_simulator(tmp_path_factory.mktemp("sim-http"), xsd_dir, "--processing-delay", "0.9")
    yield process
    stop_cleanly(process)


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def token(http, sim, user=USER, password=PASSWORD) -> str:
    resp = http.post(sim.url + REALM_TOKEN, data={"grant_type": "password", "client_id": "api-stag", "username": user, "password": password})
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def post(http, sim, body, bearer=None, raw=None):
    headers = {"Authorization": f"Bearer {bearer or token(http, sim)}", "Content-Type": "application/json"}
    return http.post(sim.url + SUBMIT, data=raw if raw is not None else json.dumps(body), headers=headers)


def get_status(http, sim, resource, bearer=None):
    return http.get(f"{sim.url}{SUBMIT}/{resource}", headers={"Authorization": f"Bearer {bearer or token(http, sim)}"})


def wait_final(http, sim, resource, bearer) -> dict:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        body = get_status(http, sim, resource, bearer).json()
        if body["ind-estado"] in ("aceptado", "rechazado"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{resource} never reached a final state")


# -- IDP -------------------------------------------------------------------------------


def test_password_and_refresh_grants_like_keycloak(sim, http):
    resp = http.post(sim.url + REALM_TOKEN, data={"grant_type": "password", "client_id": "api-stag", "username": USER, "password": PASSWORD})
    body = resp.json()
    assert resp.status_code == 200
    assert {"access_token", "expires_in", "refresh_token", "refresh_expires_in", "token_type"} <= set(body)
    assert body["expires_in"] == 300 and body["refresh_expires_in"] == 36000
    refreshed = http.post(
        sim.url + REALM_TOKEN, data={"grant_type": "refresh_token", "client_id": "api-stag", "refresh_token": body["refresh_token"]}
    )
    assert refreshed.status_code == 200 and refreshed.json()["access_token"] != body["access_token"]
    # A refresh token is no access token, and belongs to its realm and client.
    assert get_status(http, sim, "5" * 50, bearer=body["refresh_token"]).status_code == 401
    prod = http.post(
        sim.url + "/auth/realms/rut/protocol/openid-connect/token",
        data={"grant_type": "refresh_token", "client_id": "api-prod", "refresh_token": body["refresh_token"]},
    )
    assert prod.status_code == 400 and prod.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("path", "form", "status", "error"),
    [
        (REALM_TOKEN, {"grant_type": "password", "client_id": "api-stag", "username": USER, "password": "wrong"}, 401, "invalid_grant"),
        (REALM_TOKEN, {"grant_type": "password", "client_id": "api-stag", "username": "nobody", "password": "x"}, 401, "invalid_grant"),
        (REALM_TOKEN, {"grant_type": "password", "client_id": "api-prod", "username": USER, "password": PASSWORD}, 401, "invalid_client"),
        (REALM_TOKEN, {"grant_type": "client_credentials", "client_id": "api-stag"}, 400, "unsupported_grant_type"),
        (REALM_TOKEN, {"grant_type": "refresh_token", "client_id": "api-stag", "refresh_token": "x.y.z"}, 400, "invalid_grant"),
        ("/auth/realms/nope/protocol/openid-connect/token", {"grant_type": "password"}, 404, None),
    ],
)
def test_token_endpoint_refusals(sim, http, path, form, status, error):
    resp = http.post(sim.url + path, data=form)
    assert resp.status_code == status
    if error:
        assert resp.json()["error"] == error


def test_api_requires_a_valid_bearer_token(sim, http):
    assert http.get(f"{sim.url}{SUBMIT}/{'5' * 50}").status_code == 401
    resp = get_status(http, sim, "5" * 50, bearer="forged.token.value")
    assert resp.status_code == 401 and "Bearer" in resp.headers["WWW-Authenticate"]


# -- the gate --------------------------------------------------------------------------


def _body(name="factura", number=100):
    built, xml = signed(name, number)
    return built, xml, envelope_for(xml).as_json()


def _gate_cases():
    def change(**kw):
        def apply(body):
            body.update(kw)
            return body

        return apply

    def drop(key):
        def apply(body):
            del body[key]
            return body

        return apply

    return [
        ("not json", None, "no es JSON"),
        ("missing clave", drop("clave"), "Falta el campo obligatorio 'clave'"),
        ("missing emisor", drop("emisor"), "Falta el campo obligatorio 'emisor'"),
        ("missing xml", drop("comprobanteXml"), "'comprobanteXml'"),
        ("short clave", change(clave="506123"), "no tiene el formato correcto"),
        ("bad fecha", change(fecha="ayer"), "RFC 3339"),
        ("fecha without offset", change(fecha="2026-11-20T10:15:00"), "zona horaria"),
        ("bad base64", change(comprobanteXml="@@not base64@@"), "Base64"),
        ("not xml", change(comprobanteXml=base64.b64encode(b"<Factura").decode()), "no es un XML"),
        ("bad id type", change(emisor={"tipoIdentificacion": "09", "numeroIdentificacion": "3101123456"}), "tipoIdentificacion"),
        ("emisor differs", change(emisor={"tipoIdentificacion": "02", "numeroIdentificacion": "3101999999"}), "emisor del JSON"),
        ("receptor missing", drop("receptor"), "receptor del JSON (ninguno)"),
        ("fecha differs", change(fecha="2026-11-20T11:15:00-06:00"), "no coincide con FechaEmision"),
        ("consecutivoReceptor on a factura", change(consecutivoReceptor="00100001050000000001"), "sólo se usa con un Mensaje Receptor"),
        ("callback not http", change(callbackUrl="ftp://x"), "callbackUrl"),
    ]


@pytest.mark.parametrize(("case", "mutate", "cause"), _gate_cases(), ids=[c[0] for c in _gate_cases()])
def test_malformed_submissions_get_400_with_a_cause(sim, http, case, mutate, cause):
    built, _xml, body = _body(number=200 + len(case))
    resp = post(http, sim, None, raw=b"{not json") if mutate is None else post(http, sim, mutate(body))
    assert resp.status_code == 400
    assert cause in resp.headers["X-Error-Cause"]
    assert get_status(http, sim, built.clave).status_code == 404  # nothing recorded


def test_clave_must_match_the_xml(sim, http):
    _b1, _x1, body = _body(number=301)
    _b2, _x2, other = _body(number=302)
    body["clave"] = other["clave"]
    resp = post(http, sim, body)
    assert resp.status_code == 400 and "no coincide con la clave del comprobante" in resp.headers["X-Error-Cause"]


def test_mensaje_receptor_needs_its_consecutivo(sim, http):
    _built, xml = signed("mensaje-receptor", 303)
    body = envelope_for(xml).as_json()
    body.pop("consecutivoReceptor")
    resp = post(http, sim, body)
    assert resp.status_code == 400 and "consecutivoReceptor" in resp.headers["X-Error-Cause"]
    body["consecutivoReceptor"] = "00100001050000009999"
    resp = post(http, sim, body)
    assert resp.status_code == 400 and "NumeroConsecutivoReceptor" in resp.headers["X-Error-Cause"]


def test_user_may_only_send_for_its_own_taxpayer(sim, http):
    key = signing_key(*OTHER)
    doc = numbered("factura", 304)
    doc["FacturaElectronica"]["Emisor"]["Identificacion"] = {"Tipo": OTHER[0], "Numero": OTHER[1]}
    doc["FacturaElectronica"]["Receptor"]["Identificacion"] = {"Tipo": "02", "Numero": "3101123456"}
    built = build_document(doc)
    xml = sign_xml(built.xml, key)
    resp = post(http, sim, envelope_for(xml).as_json())
    assert resp.status_code == 403 and USER in resp.headers["X-Error-Cause"] and "02-3102654321" in resp.headers["X-Error-Cause"]
    other_token = token(http, sim, OTHER_USER, OTHER_PASSWORD)
    assert post(http, sim, envelope_for(xml).as_json(), bearer=other_token).status_code == 202
    # The receptor may follow the document too; a stranger may not.
    assert get_status(http, sim, built.clave).status_code == 200


def test_duplicate_is_refused_and_counted(sim, http):
    built, _xml, body = _body(number=305)
    bearer = token(http, sim)
    before = sim.stats()["duplicates"]
    assert post(http, sim, body, bearer).status_code == 202
    again = post(http, sim, body, bearer)
    assert again.status_code == 400
    assert f"El comprobante {built.clave} ya fue recibido anteriormente" in again.headers["X-Error-Cause"]
    assert sim.stats()["duplicates"] == before + 1
    rows = {r[0]: r for r in stored_rows(sim.db)}
    assert rows[built.clave][2] == 1  # duplicate_posts


# -- judging and the answer ------------------------------------------------------------


def test_states_move_from_recibido_to_aceptado_with_a_valid_signed_answer(sim, http, schema_store):
    built, _xml, body = _body("factura", 400)
    bearer = token(http, sim)
    resp = post(http, sim, body, bearer)
    assert resp.status_code == 202
    assert resp.headers["Location"].endswith(f"/recepcion/v1/recepcion/{built.clave}")
    seen = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = get_status(http, sim, built.clave, bearer).json()
        if not seen or seen[-1] != status["ind-estado"]:
            seen.append(status["ind-estado"])
        if status["ind-estado"] == "aceptado":
            break
        assert "respuesta-xml" not in status
        time.sleep(0.03)
    assert seen == ["recibido", "procesando", "aceptado"]
    assert status["clave"] == built.clave and status["fecha"] == body["fecha"]
    answer = base64.b64decode(status["respuesta-xml"])
    result = validate_document(answer, store=schema_store)
    assert result.valid, result.issues
    assert result.document.root == "MensajeHacienda"
    data = result.document.data
    assert data["Mensaje"] == 1 and data["EstadoMensaje"] == "Aceptado"
    assert data["NombreEmisor"] == "Empresa Demo S.A." and data["NumeroCedulaEmisor"] == "3101123456"
    assert data["NumeroCedulaReceptor"] == "3102654321"
    assert data["TotalFactura"] == built.data["ResumenFactura"]["TotalComprobante"]
    assert data["MontoTotalImpuesto"] == built.data["ResumenFactura"]["TotalImpuesto"]
    assert data["DetalleMensaje"].startswith("Este comprobante fue procesado en el ambiente de pruebas")
    simulator_cert = sim.get("/_simulator/certificate").encode()
    verdict = verify_xml(answer, trusted_certs=[simulator_cert])
    assert verdict.valid, verdict.errors
    assert verdict.taxpayer_id == ("02", "2100042005")


def _tamper_after_signing(xml: bytes) -> bytes:
    return xml.replace(b"Desarrollo de software a la medida", b"Desarrollo de software a la medidA", 1)


def _rejected(sim, http, xml: bytes) -> dict:
    bearer = token(http, sim)
    resp = post(http, sim, envelope_for(xml).as_json(), bearer)
    assert resp.status_code == 202, resp.headers.get("X-Error-Cause")
    status = wait_final(http, sim, envelope_for(xml).resource, bearer)
    assert status["ind-estado"] == "rechazado"
    data = parse_document(base64.b64decode(status["respuesta-xml"])).data
    assert data["Mensaje"] == 3 and data["EstadoMensaje"] == "Rechazado"
    return data


def test_modified_after_signing_is_rejected(sim, http):
    _built, xml = signed("factura", 401)
    data = _rejected(sim, http, _tamper_after_signing(xml))
    assert "[firma]" in data["DetalleMensaje"] and "digest" in data["DetalleMensaje"].lower()


def test_wrong_totals_are_rejected_with_the_rule(sim, http):
    built, _ = signed("factura", 402)
    total = re.search(rb"<TotalComprobante>([^<]+)</TotalComprobante>", built.xml).group(1)
    broken = built.xml.replace(b"<TotalComprobante>" + total, b"<TotalComprobante>1.00000", 1)
    data = _rejected(sim, http, sign_xml(broken, signing_key()))
    assert "TotalComprobante" in data["DetalleMensaje"]
    # The reason cites the annex rule, like Hacienda's DetalleMensaje.
    assert "[p55.total-comprobante]" in data["DetalleMensaje"] and "Anexo 1, p. 55" in data["DetalleMensaje"]
    assert "[firma]" not in data["DetalleMensaje"]


def test_a_rule_of_the_annex_rejects_what_the_xsd_accepts(sim, http):
    """Credit without its term (p. 25): valid against the XSD, rejected by the rules."""
    doc = numbered("factura", 405)
    del doc["FacturaElectronica"]["PlazoCredito"]
    from hacienda_cr.documents import annex

    with annex.disabled(["p25.plazo-credito"]):  # the builder would refuse it
        built = build_document(doc)
    data = _rejected(sim, http, sign_xml(built.xml, signing_key()))
    assert "[p25.plazo-credito] FacturaElectronica/PlazoCredito" in data["DetalleMensaje"]


def test_a_document_dated_in_the_future_is_rejected(sim, http):
    """FechaEmision after its reception (p. 19), whatever the hour of the run."""
    from datetime import timedelta

    from hacienda_cr.costa_rica_time import format_datetime, now

    doc = numbered("factura", 406)
    doc["FacturaElectronica"]["FechaEmision"] = format_datetime(now() + timedelta(days=1))
    built = build_document(doc)
    data = _rejected(sim, http, sign_xml(built.xml, signing_key()))
    assert "[p19.fecha-emision]" in data["DetalleMensaje"]


def test_purchase_invoice_is_issued_by_the_buyer(sim, http):
    """A Factura Electrónica de Compra from a foreign seller with a 20-character id: the clave,
    the envelope's emisor and Hacienda's answer carry the company (annex p. 59)."""
    doc = numbered("factura-compra", 407)
    body = doc["FacturaElectronicaCompra"]
    body["Emisor"] = {
        "Nombre": "Cloud Services Limited",
        "Identificacion": {"Tipo": "05", "Numero": "GB123456789012345678"},
        "OtrasSenasExtranjero": "1 King Street, London, United Kingdom",
    }
    body["DetalleServicio"]["LineaDetalle"][0].update(CodigoCABYS="8314100000000", UnidadMedida="Sp", Cantidad="1")
    body["InformacionReferencia"] = [
        {"TipoDocIR": "16", "Numero": "INV-2026-0042", "FechaEmisionIR": "2026-11-20T09:00:00-06:00",
         "Codigo": "11", "Razon": "Servicio de un proveedor no domiciliado"}
    ]
    built = build_document(doc)
    assert built.clave[9:21] == "003101123456"
    xml = sign_xml(built.xml, signing_key())
    envelope = envelope_for(xml)
    assert envelope.emisor == ("02", "3101123456") and envelope.receptor == ("05", "GB123456789012345678")
    bearer = token(http, sim)
    assert post(http, sim, envelope.as_json(), bearer).status_code == 202
    status = wait_final(http, sim, built.clave, bearer)
    answer = parse_document(base64.b64decode(status["respuesta-xml"])).data
    assert status["ind-estado"] == "aceptado", answer["DetalleMensaje"]
    assert answer["NumeroCedulaEmisor"] == "3101123456" and answer["NombreEmisor"] == "Empresa Demo S.A."
    assert answer["NumeroCedulaReceptor"] == "GB123456789012345678"
    # The seller as envelope emisor is refused at the gate.
    wrong = dict(envelope.as_json(), emisor={"tipoIdentificacion": "05", "numeroIdentificacion": "GB123456789012345678"})
    resp = post(http, sim, wrong, bearer)
    assert resp.status_code == 400 and "no coincide con el Receptor del XML" in resp.headers["X-Error-Cause"]


def test_signer_must_be_the_issuer(sim, http):
    built, _ = signed("factura", 403)
    data = _rejected(sim, http, sign_xml(built.xml, signing_key(*OTHER)))
    assert "firmado por 02-3102654321" in data["DetalleMensaje"]


def test_forced_rejection_fault(sim, http):
    sim.faults(next=[{"kind": "reject", "endpoint": "submit"}])
    _built, xml = signed("tiquete", 404)
    data = _rejected(sim, http, xml)
    assert "Rechazo forzado por el simulador" in data["DetalleMensaje"]
    assert sim.stats()["faults_injected"]["reject"] >= 1


def test_comprobantes_lists_the_users_documents(sim, http):
    built, _xml, body = _body("nota-credito", 405)
    bearer = token(http, sim)
    assert post(http, sim, body, bearer).status_code == 202
    resp = http.get(f"{sim.url}/recepcion/v1/comprobantes", params={"limit": 100}, headers={"Authorization": f"Bearer {bearer}"})
    assert resp.status_code == 200 and int(resp.headers["X-Total-Count"]) >= 1
    assert built.clave in {d["clave"] for d in resp.json()}
    detail = http.get(f"{sim.url}/recepcion/v1/comprobantes/{built.clave}", headers={"Authorization": f"Bearer {bearer}"}).json()
    assert base64.b64decode(detail["comprobanteXml"]) == base64.b64decode(body["comprobanteXml"])
    bad = http.get(f"{sim.url}/recepcion/v1/comprobantes", params={"limit": "x"}, headers={"Authorization": f"Bearer {bearer}"})
    assert bad.status_code == 400


# -- monitoring and control ------------------------------------------------------------


def test_metrics_are_valid_prometheus_text(sim, http):
    _built, _xml, body = _body("nota-debito", 406)
    post(http, sim, body)
    resp = http.get(sim.url + "/metrics")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(resp.text)}
    requests_total = families["hacienda_sim_requests"]
    assert any(s.labels == {"endpoint": "submit", "method": "POST", "status": "202"} and s.value >= 1 for s in requests_total.samples)
    decisions = {s.labels["result"]: s.value for s in families["hacienda_sim_decisions"].samples}
    assert decisions["aceptado"] >= 1
    states = {s.labels["state"] for s in families["hacienda_sim_documents"].samples}
    assert states == {"recibido", "procesando", "aceptado", "rechazado"}
    assert "hacienda_sim_duplicates" in families and "hacienda_sim_faults_injected" in families
    assert "hacienda_sim_request_duration_seconds" in families


def test_fault_control_endpoint(sim, http):
    resp = http.put(sim.url + "/_simulator/faults", json={"faults": {"latency": {"probability": 0.5, "min": 0, "max": 0.01}}, "replace": True})
    assert resp.status_code == 200 and resp.json()["faults"]["latency"]["probability"] == 0.5
    bad = http.put(sim.url + "/_simulator/faults", json={"faults": {"reset_after": 7}})
    assert bad.status_code == 400 and "between 0 and 1" in bad.json()["error"]
    assert http.put(sim.url + "/_simulator/faults", json={"faults": {}, "replace": True}).json() == {"faults": {}, "next": []}
    assert http.get(sim.url + "/health").json()["status"] == "ok"
    assert http.get(sim.url + "/nowhere").status_code == 404
    assert http.delete(sim.url + SUBMIT).status_code == 405


def test_control_endpoints_need_the_control_token_when_one_is_set(tmp_path, xsd_dir):
    """A deployed simulator (--control-token-file): /_simulator/* answers 401 without the
    bearer token, whatever the method; /metrics and /health stay open for monitoring."""
    token_file = tmp_path / "control-token"
    token_file.write_text("s3cr3t-control-token\n")
    process = start_simulator(tmp_path, xsd_dir, "--control-token-file", str(token_file))
    try:
        with requests.Session() as http:
            for method, path in [("GET", "/_simulator/stats"), ("PUT", "/_simulator/faults"),
                                 ("GET", "/_simulator/faults"), ("GET", "/_simulator/certificate"),
                                 ("POST", "/_simulator/revoke-tokens"), ("DELETE", "/_simulator/faults")]:
                for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic czNjcjN0"}):
                    resp = http.request(method, process.url + path, headers=headers,
                                        json={} if method in ("PUT", "POST") else None)
                    assert resp.status_code == 401, (method, path, headers, resp.status_code)
                    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
            good = {"Authorization": "Bearer s3cr3t-control-token"}
            assert http.get(process.url + "/_simulator/stats", headers=good).status_code == 200
            assert http.put(process.url + "/_simulator/faults", json={"faults": {}, "replace": True},
                            headers=good).json() == {"faults": {}, "next": []}
            assert http.get(process.url + "/health").status_code == 200
            assert http.get(process.url + "/metrics").status_code == 200
    finally:
        stop_cleanly(process)


def test_resets_are_real_tcp_resets(sim):
    """A reset fault aborts the connection (RST): no HTTP answer at all reaches the client."""
    import socket

    sim.faults(next=[{"kind": "reset_before", "endpoint": "status"}])
    with socket.create_connection(("127.0.0.1", int(sim.url.rsplit(":", 1)[1])), timeout=5) as conn:
        conn.sendall(f"GET {SUBMIT}/{'5' * 50} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        with pytest.raises(ConnectionResetError):
            data = conn.recv(1024)
            assert data == b"", data  # some kernels report EOF first; the next read then resets
            conn.recv(1024)


# -- callbacks and restarts ------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    failures_left = 0
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if _Receiver.failures_left > 0:
            _Receiver.failures_left -= 1
            self.send_response(503)
        else:
            _Receiver.received.append(json.loads(body))
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_callback_posts_the_final_status_and_retries(sim, http):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _Receiver.failures_left, _Receiver.received = 1, []
        built, xml = signed("factura-exportacion", 407)
        body = envelope_for(xml, callback_url=f"http://127.0.0.1:{server.server_address[1]}/hook").as_json()
        assert post(http, sim, body).status_code == 202
        deadline = time.monotonic() + 15
        while not _Receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _Receiver.received, "callback never delivered"
        delivered = _Receiver.received[0]
        assert delivered["clave"] == built.clave and delivered["ind-estado"] == "aceptado"
        assert base64.b64decode(delivered["respuesta-xml"]).startswith(b"<?xml")
        callbacks = sim.stats()["callbacks"]
        assert callbacks["failed_attempt"] >= 1 and callbacks["delivered"] >= 1
    finally:
        server.shutdown()
        server.server_close()


def test_state_survives_a_restart(tmp_path, xsd_dir):
    first = start_simulator(tmp_path, xsd_dir, "--processing-delay", "0")
    with requests.Session() as session:
        try:
            bearer = token(session, first)
            built, _xml, body = _body("recibo-pago", 500)
            assert post(session, first, body, bearer).status_code == 202
            before = get_status(session, first, built.clave, bearer).json()
        finally:
            stop_cleanly(first)
        second = start_simulator(tmp_path, xsd_dir, "--processing-delay", "0", db=first.db)
        try:
            # The old token still works: tokens are signed with a secret kept in the database.
            after = get_status(session, second, built.clave, bearer)
            assert after.status_code == 200 and after.json() == before
            again = post(session, second, body, bearer)
            assert again.status_code == 400 and "ya fue recibido" in again.headers["X-Error-Cause"]
            assert second.get("/_simulator/certificate") == first_cert(before)
        finally:
            stop_cleanly(second)


def first_cert(status: dict) -> str:
    """The PEM of the certificate that signed a status answer's MensajeHacienda."""
    from cryptography.hazmat.primitives import serialization

    verdict = verify_xml(base64.b64decode(status["respuesta-xml"]), require_v44_policy=False)
    return verdict.signer.public_bytes(serialization.Encoding.PEM).decode()


def test_answers_are_sealed_with_the_key_it_is_given(tmp_path, xsd_dir):
    """A deployment that tells its clients beforehand which certificate "Hacienda" seals with
    (the staging stack) gives the simulator that key: every answer is signed with it, and the
    simulator makes no key of its own."""
    from cryptography.hazmat.primitives import serialization

    from hacienda_cr.signing import SigningKey, make_test_certificate

    p12 = tmp_path / "seal.p12"
    p12.write_bytes(make_test_certificate("02", "2100042005", pin="pin-of-the-seal", name="MINISTERIO DE HACIENDA"))
    pin_file = tmp_path / "seal.pin"
    pin_file.write_text("pin-of-the-seal\n")
    expected = SigningKey.from_pkcs12(p12.read_bytes(), "pin-of-the-seal").certificate
    expected_pem = expected.public_bytes(serialization.Encoding.PEM).decode()
    sim = start_simulator(tmp_path, xsd_dir, "--processing-delay", "0", "--signing-p12", str(p12),
                          "--signing-pin-file", str(pin_file))
    with requests.Session() as session:
        try:
            bearer = token(session, sim)
            built, _xml, body = _body("recibo-pago", 501)
            assert post(session, sim, body, bearer).status_code == 202
            answer = wait_final(session, sim, built.clave, bearer)
            assert first_cert(answer) == expected_pem
            verdict = verify_xml(base64.b64decode(answer["respuesta-xml"]), trusted_certs=[expected],
                                 require_v44_policy=False)
            assert verdict.valid and verdict.signatures[0].trusted, verdict.errors
            assert sim.get("/_simulator/certificate") == expected_pem
        finally:
            stop_cleanly(sim)
    assert not (tmp_path / "simulator.sqlite3.signing.p12").exists()


def test_a_sealing_key_that_does_not_open_is_a_configuration_error(tmp_path, xsd_dir):
    from hacienda_cr.signing import make_test_certificate

    p12 = tmp_path / "seal.p12"
    p12.write_bytes(make_test_certificate("02", "2100042005", pin="right", name="MINISTERIO DE HACIENDA"))
    (tmp_path / "seal.pin").write_text("wrong\n")
    proc = subprocess.run(
        [sys.executable, "-m", "hacienda_cr", "simulator", "--port", "0", "--db", str(tmp_path / "sim.sqlite3"),
         "--user", f"{USER}:{PASSWORD}", "--xsd-dir", str(xsd_dir), "--signing-p12", str(p12),
         "--signing-pin-file", str(tmp_path / "seal.pin")],
        capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode != 0
    assert f"the simulator's signing key {p12}" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "hacienda_cr", "simulator", "--port", "0", "--user", f"{USER}:{PASSWORD}",
         "--signing-p12", str(p12)], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode != 0 and "signing_p12 and signing_pin_file go together" in proc.stderr
