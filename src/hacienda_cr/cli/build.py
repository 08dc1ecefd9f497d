"""``hacienda-cr build DOC.json -o DOC.xml``: a v4.4 XML document from its JSON description."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hacienda_cr.documents import SCHEMA_SETS
from hacienda_cr.errors import ConfigurationError, InputError, Issue
from hacienda_cr.issuing import issue_document


def register(sub) -> None:
    p = sub.add_parser("build", help="build a v4.4 XML document from JSON shaped like the XSD")
    p.add_argument("input", metavar="DOC.json", help="the document as JSON ('-' for standard input)")
    p.add_argument("-o", "--output", metavar="DOC.xml", help="where to write the XML (default: standard output)")
    p.add_argument("--xsd-dir", help="directory of Hacienda's XSDs (default: $HACIENDA_XSD_DIR or the fetch cache)")
    p.add_argument("--schema-set", choices=SCHEMA_SETS, help="schema set (default: the one in force on FechaEmision)")
    p.add_argument("--no-xsd", action="store_true", help="skip XSD validation (business rules still apply)")
    p.add_argument("--p12", metavar="CERT.p12", help="sign the document with this PKCS#12 file (needs --pin-env)")
    p.add_argument("--pin-env", metavar="VAR", help="name of the environment variable holding the certificate PIN")
    p.set_defaults(func=run)


def load_json(path: str) -> object:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(Issue(path, "is not UTF-8 text")) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(Issue(f"{path} line {exc.lineno}", f"not valid JSON: {exc.msg}")) from None


def signing_key(args):
    """The key to sign with, or None to write the document unsigned."""
    if not args.p12:
        if args.pin_env:
            raise InputError("--pin-env: give --p12 too, the certificate to sign with")
        return None
    from hacienda_cr.cli.sign import pin_from_environment
    from hacienda_cr.signing import SigningKey

    pin = pin_from_environment(args.pin_env)
    return SigningKey.from_pkcs12(Path(args.p12).read_bytes(), pin)


def run(args) -> int:
    key = signing_key(args)
    try:
        issued = issue_document(
            load_json(args.input), key, schema_set=args.schema_set, xsd_dir=args.xsd_dir, xsd=not args.no_xsd
        )
    except ConfigurationError as exc:
        raise ConfigurationError(f"{exc} (or pass --no-xsd to build without XSD validation)") from None
    built = issued.built
    if args.output:
        Path(args.output).write_bytes(issued.xml)
    else:
        sys.stdout.buffer.write(issued.xml)
    print(
        f"built {'and signed ' if issued.signed else ''}{built.doc_type.name} ({built.schema_set}) "
        f"clave {built.clave} consecutivo {built.consecutivo}",
        file=sys.stderr,
    )
    return 0
