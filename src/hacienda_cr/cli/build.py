"""``hacienda-cr build DOC.json -o DOC.xml``: a v4.4 XML document from its JSON description."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hacienda_cr.documents import SCHEMA_SETS, build_document
from hacienda_cr.documents.types import document_schema
from hacienda_cr.errors import ConfigurationError, InputError, Issue
from hacienda_cr.schemas import store_for


def register(sub) -> None:
    p = sub.add_parser("build", help="build a v4.4 XML document from JSON shaped like the XSD")
    p.add_argument("input", metavar="DOC.json", help="the document as JSON ('-' for standard input)")
    p.add_argument("-o", "--output", metavar="DOC.xml", help="where to write the XML (default: standard output)")
    p.add_argument("--xsd-dir", help="directory of Hacienda's XSDs (default: $HACIENDA_XSD_DIR or the fetch cache)")
    p.add_argument("--schema-set", choices=SCHEMA_SETS, help="schema set (default: the one in force on FechaEmision)")
    p.add_argument("--no-xsd", action="store_true", help="skip XSD validation (business rules still apply)")
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


def run(args) -> int:
    built = build_document(load_json(args.input), schema_set=args.schema_set)
    if not args.no_xsd:
        try:
            store = store_for(args.xsd_dir)
        except ConfigurationError as exc:
            raise ConfigurationError(f"{exc} (or pass --no-xsd to build without XSD validation)") from None
        issues = store.validate(
            built.tree, document_schema(built.doc_type, built.schema_set), built.schema_set, signed=False
        )
        if issues:
            raise InputError(issues)
    if args.output:
        Path(args.output).write_bytes(built.xml)
    else:
        sys.stdout.buffer.write(built.xml)
    print(
        f"built {built.doc_type.name} ({built.schema_set}) clave {built.clave} consecutivo {built.consecutivo}",
        file=sys.stderr,
    )
    return 0
