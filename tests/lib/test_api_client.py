"""The client against the real simulator process over HTTP: every document type, every error class."""

from __future__ import annotations

import itertools
import json
import re
import time

import pytest
from api_fixtures import (
    EXAMPLE_NAMES,
    OTHER,
    PASSWORD,
    USER,
    client_for,
    fast_config,
    numbered,
    signed,
    signing_key,
    start_simulator,
    stop_cleanly,
    stored_rows,
)

from hacienda_cr.api import (
    AuthenticationFailed,
    DocumentRejected,
    HaciendaClient,
    PermissionDenied,
    RetriesExhausted,
    Timeouts,
    envelope_for,
    kind_of,
)
from hacienda_cr.api.config import RetryPolicy
from hacienda_cr.documents import build_document
from hacienda_cr.errors import ConfigurationError
from hacienda_cr.signing import sign_xml
from hacienda_cr.validation import validate_document

NUMBERS = itertools.count(2000)


@pytest.fixture(scope="module")
def sim(tmp_path_factory, xsd_dir):
    process = start_simulator(tmp_path_factory.mktemp("sim-client"), xsd_dir)
    yield process
    stop_cleanly(process)


@pytest.fixture
def client(sim):
    sim.faults({}, replace=True)
    with client_for(sim) as c:
        yield c
    sim.faults({}, replace=True)


def rows_for(sim, resource):
    return [r for r in stored_rows(sim.db) if r[0] == resource]


# -- every document type ---------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_document_type_is_accepted_with_a_verified_answer(sim, client, name, schema_store):
    built, xml = signed(name, next(NUMBERS))
    outcome = client.submit(xml)
    assert outcome.result == "received" and outcome.attempts == 1 and outcome.status_checks == 0
    result = client.wait_final(outcome.clave, outcome.consecutivo_receptor)
    assert result.state == "aceptado" and result.final and result.accepted
    assert result.verified, result.verification_errors
    assert result.mensaje["Clave"] == built.clave and result.mensaje["Mensaje"] == 1
    assert "Este comprobante fue aceptado." in result.reason
    answer = validate_document(result.respuesta_xml, store=schema_store)
    assert answer.valid, answer.issues
    if built.doc_type.family == "receptor":
        assert outcome.resource == f"{built.clave}-{built.consecutivo}"
    assert rows_for(sim, outcome.resource) == [(outcome.resource, "aceptado", 0)]


def test_rechazado_is_final_with_the_reason(client):
    built, _ = signed("factura", next(NUMBERS))
    total = re.search(rb"<TotalComprobante>([^<]+)<", built.xml).group(1)
    xml = sign_xml(built.xml.replace(b"<TotalComprobante>" + total, b"<TotalComprobante>5.00000", 1), signing_key())
    outcome = client.submit(xml)
    result = client.wait_final(outcome.clave)
    assert result.state == "rechazado" and result.final and not result.accepted
    assert result.verified and result.mensaje["Mensaje"] == 3
    assert "TotalComprobante" in result.reason


# -- transient faults, one at a time ---------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "posts", "checks", "result"),
    [
        ({"kind": "rate_limit", "retry_after": 0.3}, 2, 0, "received"),
        ({"kind": "server_error"}, 2, 1, "received"),  # ambiguous: asked first, 404, resent
        ({"kind": "reset_before"}, 2, 1, "received"),
        ({"kind": "reset_after"}, 1, 1, "already_received"),  # it did arrive: never sent again
        ({"kind": "timeout_before", "hold": 2.5}, 2, 1, "received"),
        ({"kind": "timeout_after", "hold": 2.5}, 1, 1, "already_received"),
    ],
    ids=lambda v: v["kind"] if isinstance(v, dict) else str(v),
)
def test_transient_submit_faults(sim, fault, posts, checks, result):
    sim.faults({}, replace=True)
    sim.faults(next=[{**fault, "endpoint": "submit"}])
    before = sim.stats()["faults_injected"].get(fault["kind"], 0)
    config = fast_config(sim.url, timeouts=Timeouts(connect=2, read=1, token_refresh_margin=5))
    _built, xml = signed("factura", next(NUMBERS))
    started = time.monotonic()
    with HaciendaClient(config) as client:
        outcome = client.submit(xml)
        final = client.wait_final(outcome.clave)
    assert (outcome.attempts, outcome.result) == (posts, result)
    if checks and result == "received":
        # Not there: asked again through the grace period after the ambiguous POST, then resent.
        assert outcome.status_checks > checks
    else:
        assert outcome.status_checks == checks
    assert final.state == "aceptado"
    assert sim.stats()["faults_injected"][fault["kind"]] == before + 1
    # Recorded exactly once, and never offered twice after it had arrived.
    assert rows_for(sim, outcome.clave) == [(outcome.clave, "aceptado", 0)]
    if fault["kind"] == "rate_limit":
        assert time.monotonic() - started >= 0.3  # Retry-After honoured


def test_token_endpoint_outage_is_retried(sim):
    sim.faults({}, replace=True)
    sim.faults(next=[{"kind": "token_outage", "endpoint": "token"}, {"kind": "token_outage", "endpoint": "token"}])
    _built, xml = signed("tiquete", next(NUMBERS))
    with client_for(sim) as client:
        outcome = client.submit(xml)
        assert client.tokens.logins == 3  # two 503s, then a token
    assert outcome.result == "received" and outcome.attempts == 1


def test_status_faults_are_retried_while_waiting(sim, client):
    _built, xml = signed("factura", next(NUMBERS))
    outcome = client.submit(xml)
    sim.faults(
        next=[
            {"kind": "server_error", "endpoint": "status"},
            {"kind": "reset_before", "endpoint": "status"},
            {"kind": "rate_limit", "endpoint": "status", "retry_after": 0.1},
        ]
    )
    assert client.wait_final(outcome.clave).state == "aceptado"


def test_already_received_is_not_an_error(sim, client):
    _built, xml = signed("nota-credito", next(NUMBERS))
    assert client.submit(xml).result == "received"
    with client_for(sim) as another:  # e.g. a worker that crashed before saving the outcome
        again = another.submit(xml)
    assert again.result == "already_received" and again.attempts == 1
    assert client.wait_final(again.clave).state == "aceptado"
    assert rows_for(sim, again.clave)[0][2] == 1  # the simulator saw (and refused) one duplicate


def test_retries_exhausted_is_transient_and_says_whether_it_may_have_arrived(sim):
    _built, xml = signed("factura", next(NUMBERS))
    config = fast_config(sim.url, retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, max_retry_after=5))
    try:
        with HaciendaClient(config) as client:
            sim.faults({"rate_limit": {"probability": 1, "retry_after": 0.01}})
            with pytest.raises(RetriesExhausted) as throttled:
                client.submit(xml)
            assert kind_of(throttled.value) == "transient" and not throttled.value.ambiguous
            assert throttled.value.status == 429

            sim.faults({"server_error": 1})
            with pytest.raises(RetriesExhausted) as failing:
                client.submit(xml)
            assert failing.value.ambiguous and "ask its status" in str(failing.value)

            sim.faults({}, replace=True)
            outcome = client.submit(xml, may_have_arrived=True)
            assert (outcome.status_checks, outcome.attempts, outcome.result) == (1, 1, "received")
    finally:
        sim.faults({}, replace=True)


def test_a_retry_after_beyond_the_cap_ends_the_call_at_once(sim):
    _built, xml = signed("factura", next(NUMBERS))
    sim.faults(next=[{"kind": "rate_limit", "endpoint": "submit", "retry_after": 600}])
    started = time.monotonic()
    with client_for(sim) as client, pytest.raises(RetriesExhausted) as exc:
        client.submit(xml)
    assert exc.value.retry_after == 600 and time.monotonic() - started < 5


# -- final and configuration errors ----------------------------------------------------


def test_gate_refusal_is_a_final_rejection_with_the_cause(client):
    _built, xml = signed("factura", next(NUMBERS))
    envelope = envelope_for(xml)
    tampered = type(envelope)(**{**envelope.__dict__, "receptor": None})
    with pytest.raises(DocumentRejected) as exc:
        client.submit_envelope(tampered)
    assert kind_of(exc.value) == "rejected"
    assert "receptor del JSON (ninguno)" in exc.value.reason and exc.value.clave == envelope.clave


def test_wrong_password_is_a_configuration_problem(sim):
    with client_for(sim, password="wrong") as client, pytest.raises(AuthenticationFailed) as exc:
        client.status("5" * 50)
    assert isinstance(exc.value, ConfigurationError)
    message = str(exc.value)
    assert USER in message and "/auth/realms/rut-stag/protocol/openid-connect/token" in message
    assert "Invalid user credentials" in message
    assert client.tokens.logins == 1  # not retried: it cannot get better by itself


def test_wrong_client_id_is_a_configuration_problem(sim):
    with client_for(sim, client_id="api-prod") as client, pytest.raises(AuthenticationFailed, match="client id 'api-prod'"):
        client.status("5" * 50)


def test_user_without_permission_for_the_taxpayer(client):
    doc = numbered("factura", next(NUMBERS))
    doc["FacturaElectronica"]["Emisor"]["Identificacion"] = {"Tipo": OTHER[0], "Numero": OTHER[1]}
    doc["FacturaElectronica"]["Receptor"]["Identificacion"] = {"Tipo": "02", "Numero": "3101123456"}
    xml = sign_xml(build_document(doc).xml, signing_key(*OTHER))
    with pytest.raises(PermissionDenied) as exc:
        client.submit(xml)
    assert kind_of(exc.value) == "configuration" and "02-3102654321" in str(exc.value)


def test_401_drops_the_token_and_retries_once(sim, client):
    client.status("5" * 50)
    logins = client.tokens.logins
    sim.request("POST", "/_simulator/revoke-tokens", {})
    assert client.status("5" * 50).state == "not_found"
    assert client.tokens.logins == logins + 1  # the cached token was dropped, a new one fetched


def test_401_again_with_a_fresh_token_is_an_authentication_problem(sim, client):
    sim.faults(next=[{"kind": "unauthorized", "endpoint": "status"}, {"kind": "unauthorized", "endpoint": "status"}])
    with pytest.raises(AuthenticationFailed, match="refused a freshly issued token"):
        client.status("5" * 50)


def test_expired_tokens_are_refreshed_then_renewed(tmp_path, xsd_dir):
    sim = start_simulator(tmp_path, xsd_dir, "--token-ttl", "1", "--refresh-token-ttl", "2.5")
    try:
        with client_for(sim) as client:
            client.status("5" * 50)
            time.sleep(1.0)  # access token within its last quarter: refreshed
            client.status("5" * 50)
            assert (client.tokens.logins, client.tokens.refreshes) == (1, 1)
            time.sleep(3.0)  # access and refresh token expired: a new login
            client.status("5" * 50)
            assert (client.tokens.logins, client.tokens.refreshes) == (2, 1)
        tokens = sim.stats()["tokens_issued"]
        assert tokens == {"password:issued": 2, "refresh_token:issued": 1}
    finally:
        stop_cleanly(sim)


def test_wait_final_polls_through_an_early_404(tmp_path, xsd_dir):
    config = tmp_path / "sim.json"
    config.write_text(json.dumps({"status_visible_after": 0.5}))
    sim = start_simulator(tmp_path, xsd_dir, "--config", str(config))
    try:
        with client_for(sim) as client:
            _built, xml = signed("factura", next(NUMBERS))
            outcome = client.submit(xml)
            assert client.status(outcome.clave).state == "not_found"
            assert client.wait_final(outcome.clave).state == "aceptado"
    finally:
        stop_cleanly(sim)


def test_list_documents(client):
    _built, xml = signed("nota-debito", next(NUMBERS))
    outcome = client.submit(xml)
    listed = client.list_documents(limit=100)
    assert outcome.clave in {d["clave"] for d in listed}
    assert all(d["emisor"]["numeroIdentificacion"] == "3101123456" or d.get("receptor", {}).get("numeroIdentificacion") == "3101123456" for d in listed)


def test_status_of_a_malformed_clave_is_an_input_error(client):
    from hacienda_cr.errors import InputError

    with pytest.raises(InputError, match="is not a clave"):
        client.status("123")


def test_password_never_appears_in_errors(sim):
    with client_for(sim, password="s3cr3t-value") as client, pytest.raises(AuthenticationFailed) as exc:
        client.status("5" * 50)
    assert "s3cr3t-value" not in str(exc.value) and PASSWORD not in str(exc.value)
