"""``hacienda-cr pki fetch|check``: Costa Rica's national PKI certificates, pinned by SHA-256."""

from __future__ import annotations

from hacienda_cr import pki
from hacienda_cr.cli import print_json


def register(sub) -> None:
    p = sub.add_parser("pki", help="obtain or check the national PKI certificates supplier signatures must chain to")
    actions = p.add_subparsers(dest="pki_action", metavar="ACTION")
    actions.required = True
    fetch = actions.add_parser("fetch", help="download the certificates with a published address (SHA-256 checked)")
    fetch.add_argument("--dest", help=f"target directory (default: {pki.default_cache_dir()})")
    fetch.add_argument("--timeout", type=float, default=60.0)
    fetch.set_defaults(func=run_fetch)
    check = actions.add_parser("check", help="compare a directory with the pinned SHA-256 of every certificate")
    check.add_argument("--pki-dir", help=f"default: ${pki.ENV_VAR} or the fetch cache")
    check.set_defaults(func=run_check)


def run_fetch(args) -> int:
    print_json(pki.fetch(args.dest, timeout=args.timeout))
    return 0


def run_check(args) -> int:
    report = pki.check_dir(pki.locate_pki_dir(args.pki_dir))
    print_json(report)
    return 0 if all(entry["status"] == "ok" for entry in report) else 1
