"""``hacienda-cr validate FILE.xml``: the XSD and the business rules, every problem with its path."""

from __future__ import annotations

import sys
from pathlib import Path

from hacienda_cr.cli import print_json
from hacienda_cr.documents import SCHEMA_SETS
from hacienda_cr.validation import validate_document


def register(sub) -> None:
    p = sub.add_parser("validate", help="validate a v4.4 XML document (XSD + business rules)")
    p.add_argument("input", metavar="FILE.xml")
    p.add_argument("--xsd-dir", help="directory of Hacienda's XSDs (default: $HACIENDA_XSD_DIR or the fetch cache)")
    p.add_argument("--schema-set", choices=SCHEMA_SETS, help="schema set (default: detected from the document)")
    p.add_argument("--unsigned", action="store_true", help="accept a document that is not signed yet")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    result = validate_document(
        Path(args.input).read_bytes(), schema_set=args.schema_set, xsd_dir=args.xsd_dir, signed=not args.unsigned
    )
    if args.json:
        print_json(result.as_dict())
    else:
        doc = result.document
        kind = doc.doc_type.name if doc.doc_type else doc.root
        if result.valid:
            print(f"valid: {kind} ({doc.schema_set}) clave {doc.clave}")
        for issue in result.issues:
            print(f"error: {issue}", file=sys.stderr)
    return 0 if result.valid else 2
