"""``hacienda-cr sign DOC.xml --p12 CERT.p12 --pin-env VAR -o SIGNED.xml``."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

from hacienda_cr.errors import InputError


def register(sub) -> None:
    p = sub.add_parser(
        "sign",
        help="sign a v4.4 document with the taxpayer's .p12 (XAdES-EPES, Hacienda v4.4 policy)",
        description="Append a Hacienda v4.4 XAdES-EPES signature to DOC.xml. The input bytes are "
        "kept exactly; the signature is inserted before the root's closing tag.",
    )
    p.add_argument("input", metavar="DOC.xml", help="the unsigned (or already signed) document")
    p.add_argument("--p12", required=True, metavar="CERT.p12", help="the taxpayer's PKCS#12 file")
    p.add_argument(
        "--pin-env", required=True, metavar="VAR",
        help="name of the environment variable holding the certificate PIN",
    )
    p.add_argument("-o", "--output", required=True, metavar="SIGNED.xml",
                   help="where to write the signed document ('-' for standard output)")
    p.add_argument(
        "--signing-time", metavar="ISO",
        help="SigningTime to write instead of now, e.g. 2026-03-01T10:15:00-06:00 "
        "(without an offset it is Costa Rica time)",
    )
    p.set_defaults(func=run)


def pin_from_environment(variable: str) -> str:
    """The PIN from the named environment variable; InputError if unset or empty."""
    if not variable:
        raise InputError("--pin-env: give the name of an environment variable")
    pin = os.environ.get(variable)
    if not pin:
        raise InputError(f"--pin-env: the environment variable {variable} is not set or is empty")
    return pin


def parse_signing_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"--signing-time: {text!r} is not an ISO 8601 date-time "
            "(e.g. 2026-03-01T10:15:00-06:00)"
        ) from None


def run(args) -> int:
    from hacienda_cr.signing import SigningKey, sign_xml

    pin = pin_from_environment(args.pin_env)
    signing_time = parse_signing_time(args.signing_time)
    document = Path(args.input).read_bytes()
    key = SigningKey.from_pkcs12(Path(args.p12).read_bytes(), pin)
    signed = sign_xml(document, key, signing_time=signing_time)
    if args.output == "-":
        sys.stdout.buffer.write(signed)
        sys.stdout.flush()
    else:
        Path(args.output).write_bytes(signed)
        holder = key.taxpayer_id
        who = f"{holder[0]}-{holder[1]}" if holder else "certificate without a taxpayer id"
        print(f"signed {args.input} -> {args.output} ({who}, certificate valid until "
              f"{key.not_valid_after:%Y-%m-%d})")
    return 0
