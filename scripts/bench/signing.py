#!/usr/bin/env python3
"""Benchmark: XAdES signing and verification next to the machine's raw RSA-2048 rate.

Prints, on one core: RSA-2048 PKCS#1 v1.5 signatures/s with cryptography; sign_xml
documents/s for a 1-line and a 10-line Factura (and the overhead per document beyond the
RSA operation); verify_xml documents/s; the one-off cost of opening a .p12.

Usage: scripts/bench/signing.py [--seconds N] [--no-pin] [--clock cpu|wall]

Rates are measured in this process's CPU time by default: on a machine shared with other
work the process waits for a core, and that wait is not the code's cost (on an idle machine
both clocks agree). ``--clock wall`` measures elapsed time instead.
The documents come from $HACIENDA_SHARED_DIR (default: ../shared/hacienda next to the
repository): the tinke-labs Factura (1 line) and the 10-line Factura of the third-party
samples, both with their signature removed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import cryptography
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from hacienda_cr.signing import SigningKey, make_test_certificate, sign_xml, verify_xml

REPO = Path(__file__).resolve().parents[2]
PIN = "1234"


def shared_dir() -> Path:
    return Path(os.environ.get("HACIENDA_SHARED_DIR") or REPO.parent / "shared" / "hacienda")


def without_signature(data: bytes) -> bytes:
    start = data.find(b"<ds:Signature")
    if start < 0:
        return data
    end = data.index(b"</ds:Signature>", start) + len(b"</ds:Signature>")
    return data[:start] + data[end:]


CLOCK = time.process_time


def rate(fn, seconds: float, repeats: int = 3) -> float:
    """Best of ``repeats`` runs of about ``seconds`` each (on CLOCK), in calls per second."""
    fn()
    best = 0.0
    for _ in range(repeats):
        count, start = 0, CLOCK()
        deadline = start + seconds
        while True:
            fn()
            count += 1
            if count % 16 == 0 and CLOCK() >= deadline:
                break
        best = max(best, count / (CLOCK() - start))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one timed run")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the process to one CPU")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="measure this process's CPU time (default) or elapsed time")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    samples = shared_dir() / "samples"
    one_line = without_signature((samples / "tinke-labs" / "factura-electronica.xml").read_bytes())
    ten_lines = without_signature(
        (samples / "third-party-signed" / "factura-10lines-signed-by-crlibre.xml").read_bytes()
    )
    p12 = make_test_certificate("02", "3101123456", pin=PIN)

    start = time.perf_counter()
    loads = 5
    for _ in range(loads):
        key = SigningKey.from_pkcs12(p12, PIN)
    p12_ms = (time.perf_counter() - start) / loads * 1e3

    openssl = default_backend().openssl_version_text()
    print(f"python {platform.python_version()}, cryptography {cryptography.__version__} "
          f"({openssl}), lxml {'.'.join(map(str, etree.LXML_VERSION[:3]))} "
          f"(libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))}), one core, {args.clock} time")
    print(f"document sizes: 1-line {len(one_line)} bytes, 10-line {len(ten_lines)} bytes")

    private_key = key.private_key
    message = b"x" * 2048
    rsa_rate = rate(
        lambda: private_key.sign(message, padding.PKCS1v15(), hashes.SHA256()), args.seconds
    )
    print(f"raw RSA-2048 sign (cryptography):     {rsa_rate:8.0f} /s  "
          f"({1e3 / rsa_rate:.3f} ms)")
    for label, document in (("1-line", one_line), ("10-line", ten_lines)):
        docs = rate(lambda d=document: sign_xml(d, key), args.seconds)
        overhead = 1e3 / docs - 1e3 / rsa_rate
        print(f"sign_xml {label:8} Factura:            {docs:8.0f} docs/s "
              f"({1e3 / docs:.3f} ms; {overhead:.3f} ms beyond RSA, "
              f"{docs / rsa_rate:.0%} of the RSA rate)")
    for label, document in (("1-line", one_line), ("10-line", ten_lines)):
        signed = sign_xml(document, key)
        assert verify_xml(signed).valid
        docs = rate(lambda s=signed: verify_xml(s), args.seconds)
        print(f"verify_xml {label:8} Factura:          {docs:8.0f} docs/s ({1e3 / docs:.3f} ms)")
    print(f"SigningKey.from_pkcs12 (once per process/company): {p12_ms:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
