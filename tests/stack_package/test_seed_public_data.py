"""einvoice_stack.seed_public_data: the data set the staging seed gives the simulator is one it
accepts, and answers what scenario 9 of docs/user-guide.md relies on, on any day; the seed
sends the simulator's control token."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from einvoice_stack import seed_public_data
from einvoice_stack.seed_env import SeedEnv, SeedError

from hacienda_cr.public_data import PublicDataClient
from hacienda_cr.simulator import SimulatorProcess

TODAY = date(2026, 3, 10)


@pytest.fixture(scope="module")
def sim(tmp_path_factory, xsd_dir):
    tmp = tmp_path_factory.mktemp("seed-public-data")
    token = tmp / "control-token"
    token.write_text("token-de-control\n", encoding="utf-8")
    with SimulatorProcess(db=tmp / "sim.sqlite3", users=["cpj-3-101-123456@stag.x:clave"], xsd_dir=xsd_dir,
                          extra=["--control-token-file", str(token)], log_path=tmp / "sim.log") as process:
        process.token_file = token
        yield process


def seed_env(sim, token_file: Path | None) -> SeedEnv:
    return SeedEnv(settings={}, stack_url="", odoo_url="", database="", admin_login="",
                   admin_password_file=Path("/nonexistent"), environment="simulator", simulator_url=sim.url,
                   credentials_file=Path("/nonexistent"), certificate_file=Path("/nonexistent"),
                   certificate_pin_file=Path("/nonexistent"), summary_file=None,
                   simulator_control_token_file=token_file)


def test_the_data_set_answers_the_scenarios(sim):
    assert seed_public_data.seed_simulator(seed_env(sim, sim.token_file), TODAY) == 41
    client = PublicDataClient(sim.url)
    # The stack follows the clock; asking "today" here would depend on the day the test runs.
    history = client.exchange_rate("USD", TODAY)
    assert float(history.colones) == pytest.approx(seed_public_data.dollar_rate(TODAY)[1])
    assert client.taxpayer(seed_public_data.NEW_TAXPAYER[0]).active_activities[0].code == "4690.0"
    assert client.taxpayer("4000456789").moroso  # STG-C06
    expired = client.exoneration(seed_public_data.EXONERATION_EXPIRED)
    assert not expired.valid_on(TODAY) and expired.expires.date() < TODAY
    valid = client.exoneration(seed_public_data.EXONERATION_VALID)
    assert valid.valid_on(TODAY) and valid.valid_on(TODAY + timedelta(days=300))
    assert valid.covers("8313100009900") and not valid.covers("2391102020000")  # STG-S01, not coffee
    assert client.cabys_search("jugo de tomate").total == 2


def test_every_rate_day_is_there_and_differs():
    rates = seed_public_data.data_set(TODAY)["rates"]
    days = [rate["fecha"] for rate in rates]
    assert days == [(TODAY - timedelta(days=n)).isoformat() for n in range(seed_public_data.RATE_DAYS)]
    assert len({json.dumps(rate["dolar"]) for rate in rates}) > 1


def test_without_the_control_token_the_seed_says_so(sim, tmp_path):
    with pytest.raises(SeedError, match=r"HTTP 401 \(SIMULATOR_CONTROL_TOKEN_FILE"):
        seed_public_data.seed_simulator(seed_env(sim, tmp_path / "missing"), TODAY)


def test_outside_the_simulator_nothing_is_sent(sim):
    env = seed_env(sim, sim.token_file)
    object.__setattr__(env, "environment", "sandbox")
    assert seed_public_data.seed_simulator(env, TODAY) == 0
