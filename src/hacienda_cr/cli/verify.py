"""``hacienda-cr verify SIGNED.xml``: exit 0 only if every signature is valid."""

from __future__ import annotations

import sys
from pathlib import Path

from hacienda_cr.cli import print_json


def register(sub) -> None:
    p = sub.add_parser(
        "verify",
        help="verify the XAdES signatures of a signed document",
        description="Check every ds:Signature: digests, signature value, XAdES signed "
        "properties and (unless --allow-old-policy) Hacienda's v4.4 policy. Exit 0 valid, "
        "1 not valid, 2 unreadable input.",
    )
    p.add_argument("input", metavar="SIGNED.xml")
    p.add_argument(
        "--trusted-pem", action="append", default=[], metavar="CA_OR_CERT.pem",
        help="a trusted CA or signer certificate (PEM; repeatable): the signer must be one of "
        "them or issued by one",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument(
        "--allow-old-policy", action="store_true",
        help="accept signatures that do not follow Hacienda's v4.4 policy (older policies, "
        "SHA-1); their departures are printed as warnings",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from hacienda_cr.signing import verify_xml

    trusted = [Path(path).read_bytes() for path in args.trusted_pem] if args.trusted_pem else None
    result = verify_xml(
        Path(args.input).read_bytes(),
        trusted_certs=trusted,
        require_v44_policy=not args.allow_old_policy,
    )
    if args.json:
        print_json(result.as_dict())
    else:
        for report in result.signatures:
            signer = report.as_dict()["signer"]
            state = "valid" if report.valid else "NOT VALID"
            who = signer["subject"] if signer else "unknown signer"
            when = report.signing_time.isoformat() if report.signing_time else "no signing time"
            print(f"signature {report.index}: {state}: {who}, signed {when}")
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        for error in result.errors:
            print(f"error: {error}", file=sys.stderr)
        print("valid" if result.valid else "NOT VALID")
    return 0 if result.valid else 1
