#!/usr/bin/env python3
"""Benchmark: documents issued (built with every annex rule, XSD-validated, signed:
``issue_document``) per second on one core, next to the RSA-2048 signatures per second of the
same machine in the same run, for Facturas of 1, 10 and 50 lines.

Usage: scripts/bench/pipeline.py [--xsd-dir DIR] [--seconds N] [--rounds N]
Targets (issue 14), per CPU-second on one core: 1 line >= 2,000/s, 10 lines >= 1,200/s,
50 lines >= 450/s. On a shared machine the wall-clock rates fall with the load; the rates per
CPU-second are what one core does, so the targets are checked on those.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from hacienda_cr.documents import build_document
from hacienda_cr.issuing import issue_document
from hacienda_cr.schemas import store_for
from hacienda_cr.signing import SigningKey, make_test_certificate

REPO = Path(__file__).resolve().parents[2]
TARGETS = {1: 2000, 10: 1200, 50: 450}  # lines -> documents per CPU-second (issue 14)


def rate(fn, seconds: float) -> tuple[float, float]:
    """(per wall-clock second, per CPU second) — on a shared machine the CPU rate is what one core
    does; on an idle one both agree."""
    fn()  # warm-up: schema compilation, caches
    count, start, cpu_start = 0, time.perf_counter(), time.process_time()
    deadline = start + seconds
    while True:
        fn()
        count += 1
        if count % 16 == 0 and time.perf_counter() >= deadline:
            break
    return count / (time.perf_counter() - start), count / max(time.process_time() - cpu_start, 1e-9)


def factura(lines: int) -> dict:
    doc = json.loads((REPO / "docs" / "examples" / "factura.json").read_text())
    body = doc["FacturaElectronica"]
    template = body["DetalleServicio"]["LineaDetalle"][0]
    body["DetalleServicio"]["LineaDetalle"] = [copy.deepcopy(template) for _ in range(lines)]
    body["ResumenFactura"]["MedioPago"] = [{"TipoMedioPago": "04"}]
    return doc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--xsd-dir", default=os.environ.get("HACIENDA_XSD_DIR") or str(REPO.parent / "shared" / "hacienda" / "xsd")
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure everything N times, interleaved, and keep each figure's best round: on a shared "
        "machine the least disturbed one (default 1)",
    )
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the target says
    key = SigningKey.from_pkcs12(make_test_certificate("02", "3101123456", pin="bench"), "bench")
    store = store_for(args.xsd_dir)
    private_key = key.private_key
    message = b"x" * 64
    data = {lines: factura(lines) for lines in TARGETS}
    best: dict[str, tuple[float, float]] = {}  # measure -> (per wall-clock second, per CPU-second)

    def keep(name: str, measured: tuple[float, float]) -> None:
        if name not in best or measured[1] > best[name][1]:
            best[name] = measured

    for _ in range(max(1, args.rounds)):
        keep("rsa", rate(lambda: private_key.sign(message, padding.PKCS1v15(), hashes.SHA256()), args.seconds))
        for lines in TARGETS:
            keep(f"pipeline_{lines}", rate(lambda d=data[lines]: issue_document(d, key, store=store), args.seconds))
            keep(f"build_{lines}", rate(lambda d=data[lines]: build_document(d), args.seconds / 2))

    rsa_rate, rsa_cpu = best["rsa"]
    rounds = f" (best of {args.rounds} rounds)" if args.rounds > 1 else ""
    print(
        f"RSA-2048 PKCS#1 v1.5 SHA-256 signatures/s (one core): {rsa_rate:,.0f} (per CPU-second {rsa_cpu:,.0f})"
        f"{rounds}"
    )
    results = {"rsa_per_s": rsa_rate, "rsa_per_cpu_s": rsa_cpu}
    for lines in TARGETS:
        pipeline, pipeline_cpu = best[f"pipeline_{lines}"]
        build, build_cpu = best[f"build_{lines}"]
        print(
            f"{lines:>2}-line Factura: issued per CPU-second {pipeline_cpu:,.0f} "
            f"({pipeline_cpu / rsa_cpu:.0%} of the RSA rate; target {TARGETS[lines]:,}: "
            f"{'met' if pipeline_cpu >= TARGETS[lines] else 'NOT met'}); built alone {build_cpu:,.0f}; "
            f"wall-clock {pipeline:,.0f} / {build:,.0f} docs/s"
        )
        results[f"pipeline_{lines}_line_per_s"] = pipeline
        results[f"build_{lines}_line_per_s"] = build
        results[f"pipeline_{lines}_line_per_cpu_s"] = pipeline_cpu
        results[f"build_{lines}_line_per_cpu_s"] = build_cpu
    print(json.dumps({k: round(v, 1) for k, v in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
