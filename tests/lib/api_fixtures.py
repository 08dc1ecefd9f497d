"""Helpers for the API client and simulator tests: users, keys, documents, a real simulator.

The simulator always runs as its own process (``hacienda-cr simulator``) on a free port
with a temporary database; the client talks to it over real HTTP.
"""

from __future__ import annotations

import copy
import functools
import json
import socket
from pathlib import Path

from hacienda_cr.api import ClientConfig, HaciendaClient, Polling, RetryPolicy, Timeouts
from hacienda_cr.issuing import issue_document
from hacienda_cr.signing import SigningKey, make_test_certificate
from hacienda_cr.simulator import SimulatorProcess

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"

ISSUER = ("02", "3101123456")  # the emitter of the examples
OTHER = ("02", "3102654321")  # their usual receptor, another taxpayer
USER = "cpj-3-101-123456@stag.comprobanteselectronicos.go.cr"
OTHER_USER = "cpj-3-102-654321@stag.comprobanteselectronicos.go.cr"
PASSWORD = "clave-de-prueba"
OTHER_PASSWORD = "otra-clave"
PIN = "1234"

# Every document type, by example file (the two Mensaje Receptor files are types 05 and 07).
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.json"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@functools.cache
def signing_key(id_type: str = ISSUER[0], number: str = ISSUER[1]) -> SigningKey:
    return SigningKey.from_pkcs12(make_test_certificate(id_type, number, pin=PIN), PIN)


@functools.cache
def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def numbered(name: str, number: int) -> dict:
    """The example with its own sequence number (a new consecutivo and clave)."""
    data = copy.deepcopy(example(name))
    numeracion = data.setdefault("Numeracion", {"Sucursal": 1, "Terminal": 1})
    numeracion["Numero"] = number
    numeracion["CodigoSeguridad"] = f"{number % 10**8:08d}"
    return data


def signed(name: str, number: int = 1, key: SigningKey | None = None):
    """(BuiltDocument, signed XML bytes) for example ``name`` numbered ``number`` (the XSD is
    the simulator's to check: tests of the API need no schema directory to make documents)."""
    issued = issue_document(numbered(name, number), key or signing_key(), xsd=False)
    return issued.built, issued.xml


def start_simulator(tmp_path: Path, xsd_dir: Path, *extra: str, db: Path | None = None, users=None) -> SimulatorProcess:
    users = users if users is not None else [f"{USER}:{PASSWORD}", f"{OTHER_USER}:{OTHER_PASSWORD}"]
    sim = SimulatorProcess(
        db=db or tmp_path / "simulator.sqlite3",
        users=users,
        xsd_dir=xsd_dir,
        extra=["--processing-delay", "0.2", *extra],
        log_path=tmp_path / "simulator.log",
    )
    return sim.start()


def stop_cleanly(sim: SimulatorProcess) -> None:
    """Stop the simulator; it must exit 0 and never have logged an internal error."""
    code = sim.stop()
    log = sim.log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    assert code == 0, f"simulator exited with {code}"


def fast_config(sim_url: str, username: str = USER, password: str = PASSWORD, **overrides) -> ClientConfig:
    """The simulator preset with test-sized pauses and timeouts."""
    settings = {
        "retry": RetryPolicy(max_attempts=8, base_delay=0.02, max_delay=0.3, max_retry_after=5),
        "timeouts": Timeouts(connect=2, read=2, token_refresh_margin=5),
        "polling": Polling(first_interval=0.05, multiplier=1.5, max_interval=0.3, timeout=30, not_found_grace=3),
    }
    settings.update(overrides)
    return ClientConfig.for_environment("simulator", username, password, api_url=sim_url, idp_url=sim_url, **settings)


def client_for(sim: SimulatorProcess, **overrides) -> HaciendaClient:
    return HaciendaClient(fast_config(sim.url, **overrides))


def stored_rows(db: Path) -> list[tuple]:
    """(resource, decision, duplicate_posts) of every stored document, read from SQLite."""
    import sqlite3

    with sqlite3.connect(str(db)) as conn:
        return conn.execute("SELECT resource, decision, duplicate_posts FROM documents").fetchall()
