"""The client's parts that need no server: presets, URLs, backoff, envelopes, tokens, errors."""

from __future__ import annotations

import base64
import json
import random
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime as http_date

import pytest
from api_fixtures import EXAMPLE_NAMES, signed, signing_key

from hacienda_cr.api import ClientConfig, RetryPolicy, envelope_for, kind_of
from hacienda_cr.api.config import ENVIRONMENTS, api_url_for, token_url_for
from hacienda_cr.api.envelope import guess_id_type
from hacienda_cr.api.errors import (
    AuthenticationFailed,
    DocumentRejected,
    PermissionDenied,
    RateLimited,
    RetriesExhausted,
    ServerError,
)
from hacienda_cr.api.retry import RateLimiter, backoff_delay, parse_retry_after
from hacienda_cr.api.tokens import MemoryTokenCache, Token
from hacienda_cr.errors import ConfigurationError, InputError


def test_presets_point_at_hacienda_and_the_simulator():
    assert ENVIRONMENTS["sandbox"].token_url == (
        "https://idp.comprobanteselectronicos.go.cr/auth/realms/rut-stag/protocol/openid-connect/token"
    )
    assert ENVIRONMENTS["sandbox"].client_id == "api-stag"
    assert ENVIRONMENTS["sandbox"].api_url == "https://api-sandbox.comprobanteselectronicos.go.cr/recepcion/v1/"
    assert ENVIRONMENTS["production"].token_url.endswith("/realms/rut/protocol/openid-connect/token")
    assert ENVIRONMENTS["production"].client_id == "api-prod"
    assert ENVIRONMENTS["production"].api_url == "https://api.comprobanteselectronicos.go.cr/recepcion/v1/"
    sim = ENVIRONMENTS["simulator"]
    assert sim.api_url == "http://127.0.0.1:8090/recepcion/v1/"
    assert sim.token_url == "http://127.0.0.1:8090/auth/realms/rut-stag/protocol/openid-connect/token"
    assert sim.client_id == "api-stag"


def test_each_preset_has_its_own_patience():
    remote = ClientConfig.for_environment("production", "u", "p")
    local = ClientConfig.for_environment("simulator", "u", "p")
    assert remote.timeouts.read > local.timeouts.read
    assert remote.retry.base_delay > local.retry.base_delay
    assert remote.rate_limit == 10 and local.rate_limit == 0


@pytest.mark.parametrize(
    ("idp", "realm", "expected"),
    [
        ("https://idp.x", "rut", "https://idp.x/auth/realms/rut/protocol/openid-connect/token"),
        ("https://idp.x/auth/", "rut-stag", "https://idp.x/auth/realms/rut-stag/protocol/openid-connect/token"),
        ("https://idp.x/auth/realms/r1", "ignored", "https://idp.x/auth/realms/r1/protocol/openid-connect/token"),
        (
            "https://idp.x/auth/realms/r1/protocol/openid-connect/token",
            "ignored",
            "https://idp.x/auth/realms/r1/protocol/openid-connect/token",
        ),
    ],
)
def test_token_url_from_any_idp_form(idp, realm, expected):
    assert token_url_for(idp, realm) == expected


def test_api_url_gets_the_reception_path_when_bare():
    assert api_url_for("http://127.0.0.1:9") == "http://127.0.0.1:9/recepcion/v1/"
    assert api_url_for("https://h/recepcion-sandbox/v1") == "https://h/recepcion-sandbox/v1/"
    with pytest.raises(ConfigurationError, match="not an http"):
        api_url_for("ftp://h")


def test_configuration_errors_name_what_is_wrong():
    with pytest.raises(ConfigurationError, match="unknown environment 'staging'"):
        ClientConfig.for_environment("staging", "u", "p")
    with pytest.raises(ConfigurationError, match="no password given for the Hacienda API user u"):
        ClientConfig.for_environment("sandbox", "u", "")
    with pytest.raises(ConfigurationError, match="unknown client setting"):
        ClientConfig.for_environment("sandbox", "u", "p", retries=3)
    with pytest.raises(ConfigurationError, match="max_attempts"):
        ClientConfig.for_environment("sandbox", "u", "p", retry=RetryPolicy(max_attempts=0))
    config = ClientConfig.for_environment("sandbox", "u", "secret", idp_url="https://idp.example", realm="rut")
    assert "secret" not in repr(config)
    assert config.environment.token_url == "https://idp.example/auth/realms/rut/protocol/openid-connect/token"


def test_backoff_grows_exponentially_within_the_cap_with_jitter():
    policy = RetryPolicy(base_delay=1, multiplier=2, max_delay=10, max_retry_after=30)
    rng = random.Random(7)
    for attempt, ceiling in ((1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (9, 10)):
        draws = [backoff_delay(policy, attempt, rng=rng) for _ in range(300)]
        assert 0 <= min(draws) and max(draws) <= ceiling
        assert max(draws) > ceiling * 0.8  # jitter spreads over the whole range
        assert min(draws) < ceiling * 0.2


def test_backoff_honours_retry_after_up_to_the_cap():
    policy = RetryPolicy(base_delay=0.01, max_delay=0.02, max_retry_after=5)
    assert backoff_delay(policy, 1, retry_after=3) == 3
    assert backoff_delay(policy, 1, retry_after=100) == 5


def test_retry_after_in_seconds_or_as_a_date():
    assert parse_retry_after("7") == 7
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    later = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert 25 < parse_retry_after(http_date(later, usegmt=True)) <= 31


def test_rate_limiter_spaces_requests():
    limiter = RateLimiter(rate=50, burst=1)
    started = time.monotonic()
    for _ in range(6):
        limiter.acquire()
    assert time.monotonic() - started >= 5 / 50 * 0.9
    assert RateLimiter(rate=0).acquire() == 0


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_envelope_agrees_with_the_signed_document(name):
    built, xml = signed(name, 3)
    env = envelope_for(xml, callback_url="https://erp.example/cb")
    body = env.as_json()
    assert base64.b64decode(body["comprobanteXml"]) == xml
    assert body["clave"] == built.clave
    assert body["callbackUrl"] == "https://erp.example/cb"
    json.dumps(body)  # serialisable as is
    if built.doc_type.family == "receptor":
        data = built.data
        assert body["consecutivoReceptor"] == built.consecutivo
        assert env.resource == f"{built.clave}-{built.consecutivo}"
        assert body["emisor"] == {"tipoIdentificacion": "02", "numeroIdentificacion": data["NumeroCedulaEmisor"]}
        assert body["receptor"]["numeroIdentificacion"] == data["NumeroCedulaReceptor"]
    else:
        assert "consecutivoReceptor" not in body
        assert env.resource == built.clave
        # A Factura Electrónica de Compra is issued by the buyer, its Receptor (annex p. 59).
        issuer, other = (built.receptor, built.emisor) if built.doc_type.code == "08" else (built.emisor, built.receptor)
        assert (body["emisor"]["tipoIdentificacion"], body["emisor"]["numeroIdentificacion"]) == issuer
        assert datetime.fromisoformat(body["fecha"]) == built.fecha
        if other:
            assert (body["receptor"]["tipoIdentificacion"], body["receptor"]["numeroIdentificacion"]) == other
        else:
            assert "receptor" not in body


def test_envelope_refuses_what_cannot_be_sent():
    built, _xml = signed("factura", 4)
    with pytest.raises(InputError, match="not signed"):
        envelope_for(built.xml)
    with pytest.raises(InputError, match="not well-formed"):
        envelope_for(b"<FacturaElectronica")
    with pytest.raises(InputError, match="as bytes"):
        envelope_for(built.xml.decode())


def test_mensaje_receptor_id_types_inferred_or_given():
    assert guess_id_type("102340567") == "01"
    assert guess_id_type("3101123456") == "02"
    assert guess_id_type("155812345678") == "03"
    assert guess_id_type("A123") is None
    _built, xml = signed("mensaje-receptor", 5)
    env = envelope_for(xml, emisor_tipo="04")
    assert env.emisor[0] == "04" and env.receptor[0] == "02"


def test_token_renewal_margin_adapts_to_short_lived_tokens():
    now = 1000.0
    long_lived = Token("a", expires_at=now + 300, issued_at=now)
    assert long_lived.usable(30, now + 269) and not long_lived.usable(30, now + 271)
    short = Token("b", expires_at=now + 4, issued_at=now)  # margin becomes a quarter of its life
    assert short.usable(30, now + 2.9) and not short.usable(30, now + 3.1)
    assert not Token("c", now + 5, now, refresh_token="r", refresh_expires_at=now + 10).refreshable(now + 9.5)
    assert Token.loads(long_lived.dumps()) == long_lived
    assert Token.loads("{bad") is None


def test_memory_cache_only_discards_the_token_that_was_refused():
    cache = MemoryTokenCache()
    cache.put("k", Token("old", 10, 0))
    cache.put("k", Token("new", 10, 0))
    cache.discard("k", "old")  # a stale 401 must not throw away the fresh token
    assert cache.get("k").access_token == "new"
    cache.discard("k", "new")
    assert cache.get("k") is None


def test_error_kinds_tell_the_caller_what_to_do():
    assert kind_of(ServerError("x", ambiguous=True)) == "transient"
    assert kind_of(RateLimited("x", retry_after=3)) == "transient"
    assert kind_of(RetriesExhausted("x", ServerError("y"), 3, ambiguous=False)) == "transient"
    assert kind_of(AuthenticationFailed("x")) == "configuration"
    assert kind_of(PermissionDenied("x")) == "configuration"
    assert isinstance(PermissionDenied("x"), ConfigurationError)  # the CLI prints it, exit 2
    assert kind_of(DocumentRejected("x", reason="r")) == "rejected"
    assert kind_of(InputError("x")) == "input"
    assert kind_of(ValueError()) == "unknown"


def test_signing_key_fixture_is_the_issuer():
    assert signing_key().taxpayer_id == ("02", "3101123456")
