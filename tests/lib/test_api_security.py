"""The API client's handling of secrets and of the two rough edges of issue 13: redirects and
plain http for the password grant, credentials in log lines, a 413, and a 404 right after an
ambiguous POST."""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from api_fixtures import client_for, fast_config, free_port, signed, start_simulator, stop_cleanly, stored_rows

from hacienda_cr.api import ClientConfig, DocumentRejected, HaciendaClient, RetriesExhausted, kind_of
from hacienda_cr.api.errors import UnexpectedResponse
from hacienda_cr.api.tokens import RedisTokenCache
from hacienda_cr.errors import ConfigurationError
from hacienda_cr.redaction import redact_url

NUMBERS = itertools.count(7000)


# -- no secrets over plain http, no redirects for them -----------------------------------


@pytest.mark.parametrize("environment", ["sandbox", "production"])
def test_hacienda_environments_require_https(environment):
    with pytest.raises(ConfigurationError, match="is not https"):
        ClientConfig.for_environment(environment, "u", "p", idp_url="http://idp.example")
    with pytest.raises(ConfigurationError, match=r"the API URL .http://api\.example/recepcion/v1/. is not https"):
        ClientConfig.for_environment(environment, "u", "p", api_url="http://api.example")
    ClientConfig.for_environment(environment, "u", "p", api_url="https://api.example", idp_url="https://idp.example")


def test_urls_with_credentials_are_refused_without_showing_them():
    with pytest.raises(ConfigurationError) as refused:
        ClientConfig.for_environment("sandbox", "u", "p", idp_url="https://user:s3cret@idp.example")
    assert "s3cret" not in str(refused.value) and "holds a user or password" in str(refused.value)


class _Recorder(BaseHTTPRequestHandler):
    """Answers every POST with a redirect to /elsewhere and records every request body."""

    bodies: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).bodies.append((self.path, body))
        self.send_response(307)
        self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_password_grant_never_follows_a_redirect():
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with HaciendaClient(fast_config(url, password="s3cret-password")) as client, \
                pytest.raises(UnexpectedResponse) as refused:
            client.tokens.access_token()
    finally:
        server.shutdown()
        server.server_close()
    assert "answered 307, a redirect to /elsewhere" in str(refused.value)
    assert kind_of(refused.value) == "configuration"
    assert [path for path, _body in _Recorder.bodies] == ["/auth/realms/rut-stag/protocol/openid-connect/token"]


# -- credentials in log lines --------------------------------------------------------------


@pytest.mark.parametrize(("url", "shown"), [
    ("redis://:s3cret@cache.internal:6379/0", "redis://***@cache.internal:6379/0"),
    ("redis://odoo:s3cret@cache.internal:6379/0", "redis://odoo:***@cache.internal:6379/0"),
    ("rediss://s3cret@cache.internal/1", "rediss://***@cache.internal/1"),
    ("redis://cache.internal:6379/0?password=s3cret&db=2", "redis://cache.internal:6379/0?password=***&db=2"),
    ("redis://cache.internal:6379/0", "redis://cache.internal:6379/0"),
])
def test_redact_url(url, shown):
    assert redact_url(url) == shown


def test_redis_password_never_reaches_the_log(tmp_path, xsd_dir, caplog):
    sim = start_simulator(tmp_path, xsd_dir)
    try:
        url = f"redis://:s3cret-redis@127.0.0.1:{free_port()}/0"
        with caplog.at_level(logging.INFO), HaciendaClient(fast_config(sim.url, token_cache_url=url)) as client:
            client.status("5" * 50)
        assert "unavailable" in caplog.text
        assert "s3cret-redis" not in caplog.text
        assert "redis://***@127.0.0.1" in caplog.text
        with pytest.raises(ConfigurationError) as refused:
            RedisTokenCache("http://:s3cret-redis@localhost:6379")
        assert "s3cret-redis" not in str(refused.value)
    finally:
        stop_cleanly(sim)


# -- 413 and the 404 right after an ambiguous POST -------------------------------------------


def test_a_document_too_large_is_a_problem_of_that_document(tmp_path, xsd_dir):
    config = tmp_path / "sim.json"
    config.write_text(json.dumps({"max_body_bytes": 4000}))
    sim = start_simulator(tmp_path, xsd_dir, "--config", str(config))
    try:
        with client_for(sim) as client:
            _built, xml = signed("factura", next(NUMBERS))
            with pytest.raises(DocumentRejected) as refused:
                client.submit(xml)
        assert kind_of(refused.value) == "rejected"  # not "configuration": invoicing goes on
        assert refused.value.status == 413
        assert "too large" in refused.value.reason
    finally:
        stop_cleanly(sim)


def test_a_404_right_after_an_ambiguous_post_is_not_taken_for_absence(tmp_path, xsd_dir):
    """The POST is stored, the connection reset before the answer; Hacienda shows the document
    only 1 s later. The client asks again through the grace period instead of posting again."""
    config = tmp_path / "sim.json"
    config.write_text(json.dumps({"status_visible_after": 1.0}))
    sim = start_simulator(tmp_path, xsd_dir, "--config", str(config))
    try:
        sim.faults(next=[{"kind": "reset_after", "endpoint": "submit"}])
        _built, xml = signed("factura", next(NUMBERS))
        with client_for(sim) as client:  # grace 3 s
            outcome = client.submit(xml)
        assert (outcome.result, outcome.attempts) == ("already_received", 1)
        assert outcome.status_checks >= 2
        assert stored_rows(sim.db) == [(outcome.clave, "aceptado", 0)]  # no second POST
    finally:
        stop_cleanly(sim)


def test_a_later_call_waits_out_the_grace_of_an_earlier_ambiguous_post(tmp_path, xsd_dir):
    """A caller that resumes a submission (the addon's queue) says when it last posted: inside
    the grace, a 404 ends the call as transient and ambiguous; after it, the document is sent."""
    config = tmp_path / "sim.json"
    config.write_text(json.dumps({"status_visible_after": 30}))
    sim = start_simulator(tmp_path, xsd_dir, "--config", str(config))
    try:
        _built, xml = signed("factura", next(NUMBERS))
        with client_for(sim) as client:
            client.submit(xml)  # stored, invisible for 30 s
        short = fast_config(sim.url).retry.__class__(max_attempts=2, base_delay=0.01, max_retry_after=0.5)
        with HaciendaClient(fast_config(sim.url, retry=short)) as client:
            with pytest.raises(RetriesExhausted) as waiting:
                client.submit(xml, may_have_arrived=True, sent_at=time.time())
            assert waiting.value.ambiguous and waiting.value.retry_after > 0
            assert "before sending it again" in waiting.value.message
            outcome = client.submit(xml, may_have_arrived=True, sent_at=time.time() - 60)
        assert outcome.result == "already_received"  # "ya fue recibido": posted once more, harmless
        assert stored_rows(sim.db)[0][2] == 1
    finally:
        stop_cleanly(sim)
