"""``hacienda-cr testcert``: a Hacienda-like test certificate (.p12) for sandbox work."""

from __future__ import annotations

import os
from pathlib import Path

from hacienda_cr.cli.sign import pin_from_environment
from hacienda_cr.errors import InputError


def register(sub) -> None:
    p = sub.add_parser(
        "testcert",
        help="make a test .p12 shaped like Hacienda's (test CA, taxpayer id in serialNumber)",
        description="Write a PKCS#12 with an RSA-2048 key, a certificate naming the taxpayer as "
        "Hacienda's do, and the issuing test CA certificate. NOT for production.",
    )
    p.add_argument("-o", "--output", required=True, metavar="CERT.p12")
    p.add_argument("--pin-env", required=True, metavar="VAR",
                   help="name of the environment variable holding the PIN for the .p12")
    p.add_argument("--id-type", required=True, metavar="TYPE",
                   help="01 física, 02 jurídica, 03 DIMEX, 04 NITE, 05 extranjero, 06 no contribuyente")
    p.add_argument("--id", required=True, dest="id_number", metavar="NUMBER",
                   help="the identification number, digits only (e.g. 3101123456)")
    p.add_argument("--name", help="holder name for the certificate CN")
    p.add_argument("--days", type=int, default=730, help="validity in days (default 730)")
    p.add_argument("--ca-cert", metavar="CA.pem", help="issue from this CA certificate (with --ca-key)")
    p.add_argument("--ca-key", metavar="CA.key", help="private key of --ca-cert (PEM, unencrypted)")
    p.add_argument("--ca-out", metavar="PREFIX",
                   help="also write the CA as PREFIX.pem and its key as PREFIX.key")
    p.add_argument("--cert-out", metavar="CERT.pem", help="also write the certificate as PEM")
    p.set_defaults(func=run)


def run(args) -> int:
    from cryptography.hazmat.primitives import serialization

    from hacienda_cr.signing.distinguished_names import rfc4514
    from hacienda_cr.signing.keys import certificate_validity
    from hacienda_cr.signing.taxpayer_ids import ID_TYPES, validate_taxpayer_id
    from hacienda_cr.signing.testcert import (
        TestCA,
        ca_kind_for,
        issue_test_certificate,
        pack_pkcs12,
    )

    pin = pin_from_environment(args.pin_env)
    id_type, id_number = validate_taxpayer_id(args.id_type, args.id_number)
    if bool(args.ca_cert) != bool(args.ca_key):
        raise InputError("--ca-cert and --ca-key go together")
    if args.ca_cert:
        ca = TestCA.from_pem(Path(args.ca_cert).read_bytes(), Path(args.ca_key).read_bytes())
    else:
        ca = TestCA.generate(ca_kind_for(id_type))
    key, cert, ca = issue_test_certificate(
        id_type, id_number, name=args.name, days=args.days, ca=ca
    )
    p12 = pack_pkcs12(key, cert, ca, pin, friendly_name=f"{ID_TYPES[id_type]} {id_number}")
    _write_private(Path(args.output), p12)
    written = [args.output]
    if args.cert_out:
        Path(args.cert_out).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        written.append(args.cert_out)
    if args.ca_out:
        Path(f"{args.ca_out}.pem").write_bytes(ca.certificate_pem())
        _write_private(Path(f"{args.ca_out}.key"), ca.private_key_pem())
        written += [f"{args.ca_out}.pem", f"{args.ca_out}.key"]
    _, not_after = certificate_validity(cert)
    print(f"test certificate for {id_type} {id_number}: {rfc4514(cert.subject)}")
    print(f"issued by {rfc4514(ca.certificate.subject)}; valid until {not_after:%Y-%m-%d}")
    print("wrote " + ", ".join(written))
    return 0


def _write_private(path: Path, data: bytes) -> None:
    """Keys and .p12 files are readable by their owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
