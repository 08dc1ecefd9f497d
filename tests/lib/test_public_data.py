"""The public data client (hacienda_cr.public_data) against the real simulator over HTTP:
every service, the cache, and each way the service fails (down, slow, malformed, unknown)."""

from __future__ import annotations

import socket
import time
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from api_fixtures import start_simulator, stop_cleanly
from public_data_fixtures import (
    CABYS_SITE,
    CABYS_SOFTWARE,
    DATA,
    EXONERATION_ANY_CABYS,
    EXONERATION_EXPIRED,
    EXONERATION_VALID,
    MOROSO,
    TAXPAYER,
)

from hacienda_cr import costa_rica_time
from hacienda_cr.errors import ConfigurationError, InputError
from hacienda_cr.public_data import (
    PUBLIC_API_URL,
    LookupSettings,
    MalformedAnswer,
    NotFound,
    PublicDataClient,
    ServiceDown,
    ServiceSlow,
    ServiceUnavailable,
    answers,
    public_api_url,
)


@pytest.fixture(scope="module")
def sim(tmp_path_factory, xsd_dir):
    process = start_simulator(tmp_path_factory.mktemp("sim-public"), xsd_dir)
    process.request("PUT", "/_simulator/public-data", DATA)
    yield process
    stop_cleanly(process)


@pytest.fixture
def client(sim):
    sim.faults({}, replace=True)
    sim.request("PUT", "/_simulator/faults", {"clear_next": True})
    with PublicDataClient(sim.url, LookupSettings(read_timeout=2.0, outage_memory=30.0)) as c:
        yield c


def requests_to(sim, endpoint: str) -> int:
    return sum(n for key, n in sim.stats()["requests"].items() if key.split()[1] == endpoint)


def at_utc(monkeypatch, instant: str) -> None:
    """Freeze the library's clock at a UTC instant (Costa Rica's date follows from it)."""
    moment = datetime.fromisoformat(instant).astimezone(timezone.utc)

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    monkeypatch.setattr(costa_rica_time, "datetime", Frozen)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- taxpayers -----------------------------------------------------------------------------


def test_taxpayer(client):
    taxpayer = client.taxpayer("3-101-654321")
    assert taxpayer.identification == TAXPAYER
    assert taxpayer.name == "Comercial La Sabana S.A."
    assert (taxpayer.id_type, taxpayer.regime_code, taxpayer.regime) == ("02", 1, "Régimen General")
    assert (taxpayer.moroso, taxpayer.omiso, taxpayer.state) == (False, False, "Inscrito")
    assert [a.code for a in taxpayer.activities] == ["4690.0", "4711.1", "6201.0"]
    assert [a.code for a in taxpayer.active_activities] == ["4711.1", "6201.0"]  # primary first, inactive out
    assert taxpayer.activities[1].former_codes == ("521101",)


def test_taxpayer_in_arrears_with_a_numeric_activity_code(client):
    taxpayer = client.taxpayer("0109870654")  # the old way of writing a cédula física
    assert taxpayer.identification == MOROSO
    assert (taxpayer.moroso, taxpayer.omiso, taxpayer.regime_code) == (True, True, 2)
    assert taxpayer.activities[0].code == "722003"


@pytest.mark.parametrize("value, id_type", [("31016543", None), ("3101654321", "05"), ("abc", None), ("310165432", "02")])
def test_bad_identifications_are_refused_before_asking(client, sim, value, id_type):
    before = requests_to(sim, "taxpayer")
    with pytest.raises(InputError) as raised:
        client.taxpayer(value, id_type)
    assert raised.value.issues[0].path == "identificacion"
    assert requests_to(sim, "taxpayer") == before


def test_unknown_taxpayer_is_not_found_and_remembered(client, sim):
    before = requests_to(sim, "taxpayer")
    for _ in range(3):
        with pytest.raises(NotFound, match="no taxpayer registered with identification 3101999999"):
            client.taxpayer("3101999999")
    assert requests_to(sim, "taxpayer") == before + 1


def test_answers_are_cached(client, sim):
    client.taxpayer(TAXPAYER)
    before = requests_to(sim, "taxpayer")
    assert client.taxpayer("3101654321").name == "Comercial La Sabana S.A."
    assert requests_to(sim, "taxpayer") == before
    client.forget()
    client.taxpayer(TAXPAYER)
    assert requests_to(sim, "taxpayer") == before + 1


# -- failures ------------------------------------------------------------------------------


def test_service_down_is_remembered():
    with PublicDataClient(f"http://127.0.0.1:{free_port()}", LookupSettings(outage_memory=30)) as client:
        with pytest.raises(ServiceDown, match="not reachable"):
            client.taxpayer(TAXPAYER)
        started = time.monotonic()
        with pytest.raises(ServiceDown, match=r"not asked again for \d+ s"):
            client.taxpayer(TAXPAYER)
        assert time.monotonic() - started < 0.5


def test_server_error(client, sim):
    sim.faults(next=[{"kind": "server_error", "endpoint": "exoneration", "status": 502}])
    with pytest.raises(ServiceDown) as raised:
        client.exoneration(EXONERATION_VALID)
    assert raised.value.status == 502
    # Another service of the same API is not affected by the remembered outage.
    assert client.taxpayer(TAXPAYER).identification == TAXPAYER


def test_slow_service(client, sim):
    sim.faults(next=[{"kind": "timeout_before", "endpoint": "taxpayer", "hold": 4}])
    client = client.with_settings(read_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ServiceSlow, match=r"did not answer within 0.5 s"):
        client.taxpayer(TAXPAYER)
    assert time.monotonic() - started < 3


def test_malformed_page(client, sim):
    sim.faults(next=[{"kind": "malformed", "endpoint": "cabys"}])
    with pytest.raises(MalformedAnswer, match="not JSON"):
        client.cabys(CABYS_SOFTWARE)


def test_rate_limited_means_blocked_for_ten_minutes(client, sim):
    sim.faults(next=[{"kind": "rate_limit", "endpoint": "exoneration", "retry_after": 2}])
    with pytest.raises(ServiceDown) as raised:
        client.exoneration(EXONERATION_VALID)
    assert (raised.value.status, raised.value.retry_after) == (429, 2)
    with pytest.raises(ServiceDown, match=r"not asked again for (59\d|600) s"):
        client.exoneration(EXONERATION_VALID)


def test_every_unavailable_kind_is_one_class():
    for kind in (ServiceDown, ServiceSlow, MalformedAnswer):
        assert issubclass(kind, ServiceUnavailable)
    assert not issubclass(NotFound, ServiceUnavailable)


@pytest.mark.parametrize("data, path", [
    ({"nombre": "X S.A.", "tipoIdentificacion": "02", "situacion": {"moroso": "NO", "omiso": "NO"},
      "actividades": [{"estado": "A", "tipo": "P", "codigo": "1"}, {"estado": "Z", "codigo": "2"}]}, "actividades[1].estado"),
    ({"nombre": "X S.A.", "tipoIdentificacion": "02", "situacion": {"moroso": "tal vez", "omiso": "NO"}}, "situacion.moroso"),
    ({"tipoIdentificacion": "02", "situacion": {}}, "nombre"),
    (["not", "an", "object"], ""),
])
def test_malformed_fields_are_named(data, path):
    with pytest.raises(MalformedAnswer) as raised:
        answers.read_taxpayer(data, TAXPAYER)
    assert raised.value.path == path


def test_malformed_rates_are_named():
    with pytest.raises(MalformedAnswer) as raised:
        answers.read_rates({"dolar": {"venta": {"fecha": "2026-03-10T00:00:00-06:00", "valor": "x"},
                                      "compra": {"fecha": "2026-03-10T00:00:00-06:00", "valor": 500}},
                            "euro": {"fecha": "2026-03-10T00:00:00-06:00", "dolares": 1.1, "colones": 550}})
    assert raised.value.path == "dolar.venta.valor"
    with pytest.raises(MalformedAnswer) as raised:
        answers.read_dollar_history([{"fecha": "2026-03-10 00:00:00", "compra": 500, "venta": -1}])
    assert raised.value.path == "[0].venta"


# -- exchange rates ------------------------------------------------------------------------


def test_latest_rates(client):
    rates = client.exchange_rates()
    assert rates["USD"].date == rates["EUR"].date == date(2026, 3, 10)  # the simulator's "today"
    assert (rates["USD"].colones, rates["USD"].buying) == (Decimal("507.18"), Decimal("500.02"))
    assert (rates["EUR"].colones, rates["EUR"].dollars) == (Decimal("549.9"), Decimal("1.0842"))


@pytest.mark.parametrize("instant", ["2026-03-10T06:05:00+00:00", "2026-03-10T11:59:00+00:00",
                                     "2026-03-10T18:00:00+00:00", "2026-03-11T05:55:00+00:00"])
def test_the_rate_of_today_is_costa_ricas_day(client, monkeypatch, instant):
    """00:05, 05:59, 12:00 and 23:55 in Costa Rica, the last on the next UTC day."""
    at_utc(monkeypatch, instant)
    assert client.exchange_rate("USD", date(2026, 3, 10)).colones == Decimal("507.18")
    assert client.exchange_rate("eur", date(2026, 3, 10)).colones == Decimal("549.9")


def test_todays_rates_expire_at_costa_rican_midnight(client, monkeypatch):
    at_utc(monkeypatch, "2026-03-11T05:55:00+00:00")  # 23:55 in Costa Rica
    assert 299 <= client._today_ttl() <= 300


def test_todays_rate_not_published_yet(client, monkeypatch):
    at_utc(monkeypatch, "2026-03-11T06:05:00+00:00")  # 00:05 on the 11th; the service still gives the 10th
    with pytest.raises(NotFound, match="not published the USD rate of 2026-03-11 yet") as raised:
        client.exchange_rate("USD", date(2026, 3, 11))
    assert raised.value.latest.date == date(2026, 3, 10)


def test_past_dollar_rates_come_from_the_history(client, sim, monkeypatch):
    at_utc(monkeypatch, "2026-03-10T18:00:00+00:00")
    rate = client.exchange_rate("USD", date(2026, 3, 6))
    assert (rate.date, rate.colones, rate.buying) == (date(2026, 3, 6), Decimal("505.31"), Decimal("498.12"))
    with pytest.raises(NotFound, match="no USD rate for 2026-03-07"):
        client.exchange_rate("USD", date(2026, 3, 7))
    with pytest.raises(NotFound, match="euro rate of the current day only"):
        client.exchange_rate("EUR", date(2026, 3, 9))
    with pytest.raises(InputError, match="after today"):
        client.exchange_rate("USD", date(2026, 3, 11))
    with pytest.raises(InputError, match="USD and EUR"):
        client.exchange_rate("GBP")


# -- CABYS ---------------------------------------------------------------------------------


def test_cabys_search_by_words(client):
    found = client.cabys_search("diseno  DESARROLLO", top=1)
    assert found.total == 2
    assert [item.code for item in found.items] == [CABYS_SOFTWARE]
    assert found.items[0].tax_rate == Decimal("13")
    assert "Servicios de tecnologías de la información" in found.items[0].categories
    assert client.cabys_search("café tostado").items[0].tax_rate == Decimal("1")


def test_cabys_by_code(client):
    assert client.cabys(CABYS_SITE).description == "Servicios de diseño y desarrollo de páginas web"
    with pytest.raises(NotFound, match="no code 9999999999999"):
        client.cabys("9999999999999")
    with pytest.raises(InputError):
        client.cabys("12345")
    with pytest.raises(InputError, match="at least 3 characters"):
        client.cabys_search(" ab ")


# -- exonerations --------------------------------------------------------------------------


def test_exoneration(client):
    exoneration = client.exoneration(EXONERATION_VALID.lower())
    assert exoneration.number == EXONERATION_VALID
    assert exoneration.identification == TAXPAYER
    assert (exoneration.issued, exoneration.expires) == (datetime(2026, 1, 15), datetime(2026, 12, 31))
    assert (exoneration.percentage, exoneration.document_type) == (Decimal("13"), "04")
    assert exoneration.cabys == (CABYS_SOFTWARE,)
    assert exoneration.covers(CABYS_SOFTWARE) and not exoneration.covers(CABYS_SITE)
    assert exoneration.institution_code() == ("01", None)  # the Dirección General de Hacienda is the Ministry's
    assert exoneration.valid_on(date(2026, 1, 15)) and exoneration.valid_on(date(2026, 12, 31))
    assert not exoneration.valid_on(date(2026, 1, 14)) and not exoneration.valid_on(date(2027, 1, 1))


def test_exoneration_expired_and_unlimited(client):
    assert not client.exoneration(EXONERATION_EXPIRED).valid_on(date(2026, 3, 10))
    unlimited = client.exoneration(EXONERATION_ANY_CABYS)
    assert unlimited.cabys is None and unlimited.covers(CABYS_SITE)
    assert unlimited.institution_code() == ("11", None)  # Junta de Protección Social, by its name


def test_exoneration_unknown_or_badly_written(client):
    with pytest.raises(NotFound, match="no exoneration authorisation AL-00000001-26"):
        client.exoneration("AL-00000001-26")
    with pytest.raises(InputError, match="AL-00012345-26"):
        client.exoneration("12345")


# -- configuration -------------------------------------------------------------------------


def test_public_api_url():
    assert public_api_url("production") == public_api_url("sandbox") == PUBLIC_API_URL
    assert public_api_url("simulator", simulator_url="http://127.0.0.1:9999/") == "http://127.0.0.1:9999"
    assert public_api_url("production", "https://proxy.internal:8443/") == "https://proxy.internal:8443"
    assert public_api_url("simulator", "http://10.0.0.5:8090") == "http://10.0.0.5:8090"
    with pytest.raises(ConfigurationError, match="not https"):
        public_api_url("production", "http://proxy.internal:8080/")
    with pytest.raises(ConfigurationError, match="holds a user or password") as raised:
        public_api_url("sandbox", "https://usuario:secreto@api.hacienda.go.cr")
    assert "secreto" not in str(raised.value)
    with pytest.raises(ConfigurationError):
        public_api_url("staging")
    with pytest.raises(ConfigurationError):
        PublicDataClient("ftp://api.hacienda.go.cr")
    with pytest.raises(ConfigurationError):
        LookupSettings(read_timeout=0).check()


def test_rate_limiter_survives_a_clock_going_back(monkeypatch):
    """Odoo's tests freeze time around lookups: a monotonic clock jumping back must not make the
    shared limiter wait for the difference."""
    from hacienda_cr.api import retry

    limiter = retry.RateLimiter(rate=10, burst=2)
    readings = iter([2_000_000_000.0, 50.0, 50.0])
    slept = []
    monkeypatch.setattr(retry.time, "monotonic", lambda: next(readings))
    monkeypatch.setattr(retry.time, "sleep", slept.append)
    assert limiter.acquire() == 0
    assert limiter.acquire() == 0
    assert limiter.acquire() == pytest.approx(0.1)  # the burst is used up: one token every 0.1 s
    assert slept == [pytest.approx(0.1)]


def test_a_fresh_request_skips_the_cache(client, sim):
    client.exchange_rates()
    before = requests_to(sim, "rates")
    client.exchange_rates()
    assert requests_to(sim, "rates") == before
    client.exchange_rates(fresh=True)
    assert requests_to(sim, "rates") == before + 1
