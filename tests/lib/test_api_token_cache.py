"""Tokens shared through a real Redis: N processes starting together log in once.

A real ``redis-server`` is started on a free port; without it this suite fails (it does
not skip): the staging stack relies on the shared cache.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time

import pytest
from api_fixtures import PASSWORD, USER, fast_config, free_port, start_simulator, stop_cleanly

from hacienda_cr.api import HaciendaClient, RedisTokenCache

WORKERS = 6

WORKER = textwrap.dedent(
    """
    import json, sys, time
    from hacienda_cr.api import ClientConfig, HaciendaClient
    url, redis_url, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    config = ClientConfig.for_environment(
        "simulator", sys.argv[4], sys.argv[5], api_url=url, idp_url=url, token_cache_url=redis_url
    )
    with HaciendaClient(config) as client:
        while time.time() < start:
            time.sleep(0.001)
        token = client.tokens.access_token()
        state = client.status("5" * 50).state
        print(json.dumps({"token": token, "logins": client.tokens.logins, "state": state}))
    """
)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server is not installed (apt-get install -y redis-server); the shared token cache needs it")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def sim(tmp_path_factory, xsd_dir):
    process = start_simulator(tmp_path_factory.mktemp("sim-redis"), xsd_dir)
    yield process
    stop_cleanly(process)


def password_logins(sim) -> int:
    return sim.stats()["tokens_issued"].get("password:issued", 0)


def test_processes_starting_together_log_in_once(sim, redis_url):
    before = password_logins(sim)
    # The first login is slow, so every other worker arrives while it is in flight.
    sim.faults(next=[{"kind": "latency", "endpoint": "token", "min": 0.5, "max": 0.5}])
    start = time.time() + 3
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, sim.url, redis_url, str(start), USER, PASSWORD],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    assert len({r["token"] for r in results}) == 1  # everyone uses the same token
    assert sum(r["logins"] for r in results) == 1
    assert all(r["state"] == "not_found" for r in results)
    assert password_logins(sim) == before + 1
    print(f"{WORKERS} processes, {sum(r['logins'] for r in results)} login(s)")


def test_a_refused_token_is_replaced_once_for_everyone(sim, redis_url):
    config = fast_config(sim.url, token_cache_url=redis_url)
    with HaciendaClient(config) as first, HaciendaClient(config) as second:
        first.status("5" * 50)
        second.status("5" * 50)
        assert (first.tokens.logins, second.tokens.logins) == (1, 0) or (first.tokens.logins + second.tokens.logins) <= 1
        before = password_logins(sim)
        sim.request("POST", "/_simulator/revoke-tokens", {})
        second.status("5" * 50)  # 401: drops the shared token and logs in again
        first.status("5" * 50)  # finds the new token in Redis: no 401, no login
        assert password_logins(sim) == before + 1
        assert sim.stats()["requests"].get("GET status 401", 0) == 1


def test_redis_down_falls_back_to_the_process_cache(sim, caplog):
    config = fast_config(sim.url, token_cache_url=f"redis://127.0.0.1:{free_port()}/0")
    with HaciendaClient(config) as client:
        assert isinstance(client.tokens.cache, RedisTokenCache)
        client.status("5" * 50)
        client.status("5" * 50)
        assert client.tokens.logins == 1
    assert "unavailable" in caplog.text


def test_redis_cache_needs_a_redis_url():
    from hacienda_cr.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="not a Redis URL"):
        RedisTokenCache("http://localhost:6379")
