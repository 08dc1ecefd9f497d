#!/usr/bin/env python3
"""Benchmark: documents accepted per second through HaciendaClient against the simulator.

Starts the simulator as its own process (fresh database, processing delay 0 unless
given), signs the documents beforehand (every example type in turn), then N worker
threads each submit + wait for the final answer. Two runs: without faults and with the
soak's mix of faults (~25% of submissions: 429, 5xx, resets before/after recording,
timeouts before/after recording, token outages, forced rejections, plus latency).

Usage: scripts/bench/api_throughput.py [--documents 1000] [--workers 8] [--processing-delay 0]
Needs $HACIENDA_SHARED_DIR (default: ../shared/hacienda next to the repository) for the XSDs.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from hacienda_cr.api import ClientConfig, HaciendaClient, Polling, RetriesExhausted, RetryPolicy, Timeouts
from hacienda_cr.issuing import issue_document
from hacienda_cr.signing import SigningKey, make_test_certificate
from hacienda_cr.simulator import SimulatorProcess

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"
# The examples' emitter, as the simulator's user of that taxpayer.
ISSUER = ("02", "3101123456")
USER, PASSWORD = "cpj-3-101-123456@stag.comprobanteselectronicos.go.cr", "clave-de-bench"

FAULTS = (
    "latency=0.10:0.005-0.03,rate_limit=0.05:0.2,server_error=0.05:503,reset_before=0.04,reset_after=0.05,"
    "timeout_before=0.02:2.5,timeout_after=0.02:2.5,token_outage=0.10,reject=0.03"
)


def shared_dir() -> Path:
    return Path(os.environ.get("HACIENDA_SHARED_DIR") or REPO.parent / "shared" / "hacienda")


def signed_examples(count: int, first_number: int) -> list[bytes]:
    """``count`` signed documents, every example type of docs/examples in turn, each numbered anew
    (a new consecutivo and clave); the XSD is the simulator's to check."""
    examples = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob("*.json"))]
    key = SigningKey.from_pkcs12(make_test_certificate(*ISSUER, pin="bench"), "bench")
    documents = []
    for i in range(count):
        data = copy.deepcopy(examples[i % len(examples)])
        numeracion = data.setdefault("Numeracion", {"Sucursal": 1, "Terminal": 1})
        numeracion["Numero"] = first_number + i
        numeracion["CodigoSeguridad"] = f"{(first_number + i) % 10**8:08d}"
        documents.append(issue_document(data, key, xsd=False).xml)
    return documents


def run(documents: list[bytes], workers: int, processing_delay: float, faults: str | None, first_number: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="hacienda-bench-"))
    extra = ["--processing-delay", str(processing_delay), "--seed", "1"]
    if faults:
        extra += ["--faults", faults]
    sim = SimulatorProcess(db=tmp / "simulator.sqlite3", users=[f"{USER}:{PASSWORD}"], xsd_dir=shared_dir() / "xsd",
                           extra=extra, log_path=tmp / "simulator.log").start()
    config = ClientConfig.for_environment(
        "simulator", USER, PASSWORD, api_url=sim.url, idp_url=sim.url,
        retry=RetryPolicy(max_attempts=10, base_delay=0.05, max_delay=1.0, max_retry_after=5),
        timeouts=Timeouts(connect=2, read=1.5, token_refresh_margin=5),
        polling=Polling(first_interval=0.02, multiplier=1.5, max_interval=0.5, timeout=60, not_found_grace=10),
    )
    pending = list(documents)
    lock = threading.Lock()
    counts: Counter = Counter()

    def worker(client: HaciendaClient) -> None:
        while True:
            with lock:
                if not pending:
                    return
                xml = pending.pop()
            try:
                outcome = client.submit(xml)
                final = client.wait_final(outcome.clave, outcome.consecutivo_receptor)
            except RetriesExhausted:
                with lock:
                    counts["gave_up"] += 1
                continue
            with lock:
                counts[final.state] += 1
                counts["posts"] += outcome.attempts

    clients = [HaciendaClient(config) for _ in range(workers)]
    # Log every client in before the clock starts: the run measures documents, not logins.
    for client in clients:
        client.tokens.access_token()
    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    stats = sim.stats()
    for client in clients:
        client.close()
    sim.stop()
    return {"elapsed": elapsed, "counts": counts, "faults": stats["faults_injected"], "requests": sum(stats["requests"].values())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--processing-delay", type=float, default=0.0)
    args = parser.parse_args()

    print(f"python {platform.python_version()}, {os.cpu_count()} CPU(s), {args.workers} client threads, "
          f"{args.documents} documents per run, processing delay {args.processing_delay:g} s")
    started = time.perf_counter()
    sets = []
    for run_index in range(2):
        base = 50_000 + run_index * args.documents
        sets.append(signed_examples(args.documents, base))
    print(f"built and signed {2 * args.documents} documents in {time.perf_counter() - started:.1f} s")

    for label, faults, docs in (("without faults", None, sets[0]), ("with faults   ", FAULTS, sets[1])):
        result = run(docs, args.workers, args.processing_delay, faults, 0)
        counts = result["counts"]
        accepted = counts["aceptado"]
        print(
            f"{label}: {accepted / result['elapsed']:7.1f} accepted docs/s "
            f"({accepted} aceptado, {counts['rechazado']} rechazado, {counts['gave_up']} gave up, "
            f"{counts['posts']} POSTs, {result['requests']} requests in {result['elapsed']:.1f} s)"
        )
        if faults:
            injected = ", ".join(f"{k} {v}" for k, v in sorted(result["faults"].items()))
            print(f"  faults injected: {injected}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
