"""``hacienda-cr schemas fetch|check``: obtain Hacienda's XSDs (pinned by SHA-256) and check a directory."""

from __future__ import annotations

from hacienda_cr import schemas
from hacienda_cr.cli import print_json


def register(sub) -> None:
    p = sub.add_parser("schemas", help="download Hacienda's official XSDs or check a schema directory")
    actions = p.add_subparsers(dest="schemas_action", metavar="ACTION")
    actions.required = True
    fetch = actions.add_parser(
        "fetch", help="download the XSDs from Hacienda, keeping only files with the official SHA-256"
    )
    fetch.add_argument("--dest", help=f"target directory (default: {schemas.default_cache_dir()})")
    fetch.add_argument("--set", action="append", dest="sets", help="only this schema set (repeatable)")
    fetch.add_argument("--timeout", type=float, default=60.0)
    fetch.add_argument("--mirror", help="fetch from MIRROR/<set>/<file> instead of Hacienda (hashes still checked)")
    fetch.set_defaults(func=run_fetch)
    check = actions.add_parser("check", help="compare a schema directory with the official SHA-256 of every file")
    check.add_argument("--xsd-dir", help="default: $HACIENDA_XSD_DIR or the fetch cache")
    check.set_defaults(func=run_check)


def run_fetch(args) -> int:
    print_json(schemas.fetch(args.dest, sets=args.sets, timeout=args.timeout, mirror=args.mirror))
    return 0


def run_check(args) -> int:
    report = schemas.check_dir(schemas.locate_xsd_dir(args.xsd_dir))
    print_json(report)
    return 0 if all(entry["status"] == "ok" for entry in report) else 1
