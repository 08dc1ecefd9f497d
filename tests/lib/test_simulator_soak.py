"""Soak: 520 documents through the client while about a quarter of the requests go wrong.

Every fault kind is on at once — latency, 429, 5xx, resets before and after recording,
timeouts before and after recording, token endpoint outages, forced rejections — and the
token lifetime is short, so tokens are refreshed throughout. Workers behave like the
addon's cron: a document whose submission ran out of retries goes back in the queue
(marked "may have arrived" when the failure was ambiguous) for a later round.

Bounded: it stops by itself after DEADLINE seconds at the latest. The figures are printed
(``pytest -s`` shows them).
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections import Counter

import pytest
from api_fixtures import EXAMPLE_NAMES, fast_config, signed, signing_key, start_simulator, stop_cleanly, stored_rows

from hacienda_cr.api import HaciendaClient, Polling, RetriesExhausted, RetryPolicy, Timeouts
from hacienda_cr.signing import sign_xml
from hacienda_cr.simulator.judge import FORCED_REJECTION

DOCUMENTS = 520
WORKERS = 8
DEADLINE = 300  # seconds; the run normally takes well under a minute
INVALID_EVERY = 50  # every 50th document has wrong totals: Hacienda must reject it
FAULTS = ",".join(
    [
        "latency=0.10:0.005-0.03",
        "rate_limit=0.05:0.2",
        "server_error=0.05:503",
        "reset_before=0.04",
        "reset_after=0.05",
        "timeout_before=0.02:2.5",
        "timeout_after=0.02:2.5",
        "token_outage=0.10",
        "reject=0.03",
    ]
)


def _documents():
    """(resource, signed xml, expected decision) for DOCUMENTS documents of every type."""
    out = []
    for i in range(DOCUMENTS):
        name = EXAMPLE_NAMES[i % len(EXAMPLE_NAMES)]
        built, xml = signed(name, 10_000 + i)
        expected = "aceptado"
        if i % INVALID_EVERY == 7 and built.doc_type.family == "sale":
            total = re.search(rb"<TotalComprobante>([^<]+)<", built.xml).group(1)
            xml = sign_xml(built.xml.replace(b"<TotalComprobante>" + total, b"<TotalComprobante>1.00000", 1), signing_key())
            expected = "rechazado"
        resource = f"{built.clave}-{built.consecutivo}" if built.doc_type.family == "receptor" else built.clave
        out.append((resource, xml, expected))
    return out


@pytest.mark.slow
def test_soak_with_faults_of_every_kind(tmp_path, xsd_dir, capsys):
    docs = _documents()
    sim = start_simulator(
        tmp_path,
        xsd_dir,
        "--processing-delay", "0.1",
        "--token-ttl", "4",
        "--refresh-token-ttl", "30",
        "--faults", FAULTS,
        "--seed", "2026",
    )  # fmt: skip
    config = fast_config(
        sim.url,
        retry=RetryPolicy(max_attempts=10, base_delay=0.05, multiplier=2, max_delay=1.0, max_retry_after=5),
        timeouts=Timeouts(connect=2, read=1.5, token_refresh_margin=5),
        polling=Polling(first_interval=0.1, multiplier=1.5, max_interval=0.5, timeout=60, not_found_grace=10),
    )
    work: queue.Queue = queue.Queue()
    for resource, xml, expected in docs:
        work.put((resource, xml, expected, False, 1))
    results: dict[str, object] = {}
    figures: Counter = Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + DEADLINE

    def worker(client: HaciendaClient) -> None:
        while time.monotonic() < stop_at:
            try:
                resource, xml, expected, may_have_arrived, round_ = work.get_nowait()
            except queue.Empty:
                return
            try:
                outcome = client.submit(xml, may_have_arrived=may_have_arrived)
                final = client.wait_final(outcome.clave, outcome.consecutivo_receptor)
            except RetriesExhausted as exc:
                # What the cron does: leave it for the next round, remembering the doubt.
                with lock:
                    figures["rounds_retried"] += 1
                work.put((resource, xml, expected, may_have_arrived or exc.ambiguous, round_ + 1))
                continue
            with lock:
                figures["posts"] += outcome.attempts
                figures["status_checks"] += outcome.status_checks
                figures[outcome.result] += 1
                results[resource] = (final, expected)

    started = time.monotonic()
    clients = [HaciendaClient(config) for _ in range(WORKERS)]
    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(DEADLINE + 30)
        elapsed = time.monotonic() - started
        stats = sim.stats()
    finally:
        for c in clients:
            c.close()
        stop_cleanly(sim)
    rows = stored_rows(sim.db)

    faults = stats["faults_injected"]
    logins = sum(c.tokens.logins for c in clients)
    refreshes = sum(c.tokens.refreshes for c in clients)
    requests = sum(n for key, n in stats["requests"].items() if key.split()[1] not in ("control", "metrics"))
    submits = sum(n for key, n in stats["requests"].items() if key.startswith("POST submit"))
    submit_faults = sum(
        n for key, n in stats["requests"].items() if key.startswith("POST submit") and not key.endswith((" 202", " 400", " 403"))
    )
    submit_rate = (submit_faults + faults.get("reject", 0)) / submits
    decisions = Counter(final.state for final, _ in results.values())
    forced = sum(1 for final, _ in results.values() if FORCED_REJECTION in (final.reason or ""))
    with capsys.disabled():  # the figures belong in every run's output, CI's included
        print(
            f"\nsoak: {len(results)}/{DOCUMENTS} documents final in {elapsed:.1f} s "
            f"({len(results) / elapsed:.1f} docs/s, {WORKERS} workers)"
            f"\n  decisions {dict(decisions)}, forced rejections {forced}, invalid documents {sum(e == 'rechazado' for *_, e in docs)}"
            f"\n  client: {figures['posts']} POSTs, {figures['status_checks']} status checks after ambiguous failures, "
            f"{figures['already_received']} found already received, {figures['rounds_retried']} rounds retried later; "
            f"{logins} logins, {refreshes} refreshes"
            f"\n  simulator: {requests} API/token requests, faults injected {dict(sorted(faults.items()))} "
            f"\n  {submit_rate:.0%} of submissions hit a failure or forced rejection; "
            f"{sum(v for k, v in faults.items() if k != 'latency') / requests:.0%} of all requests failed on purpose, "
            f"{sum(faults.values()) / requests:.0%} with latency counted; duplicates {stats['duplicates']}"
        )

    # Nothing lost, nothing left half-way.
    assert len(results) == DOCUMENTS, f"only {len(results)} of {DOCUMENTS} documents finished before the deadline"
    for resource, (final, expected) in results.items():
        assert final.final and final.verified, (resource, final.state, final.verification_errors)
        if FORCED_REJECTION in (final.reason or ""):
            assert final.state == "rechazado"
        else:
            assert final.state == expected, (resource, final.reason)
    # The simulator recorded each document exactly once, and was never offered one twice
    # after it had arrived (every ambiguous failure was followed by a status check).
    assert sorted(r[0] for r in rows) == sorted(results)
    assert sum(r[2] for r in rows) == 0 and stats["duplicates"] == 0
    # Every fault kind really happened, at a combined rate within the intended 20-30%.
    for kind in ("latency", "rate_limit", "server_error", "reset_before", "reset_after", "timeout_before", "timeout_after", "token_outage", "reject"):
        assert faults.get(kind, 0) > 0, f"no {kind} fault was injected"
    assert 0.15 <= submit_rate <= 0.35, (submit_faults, faults["reject"], submits)
    assert refreshes > 0
