"""``hacienda-cr clave new|parse``: compose a clave from its parts, or split one (JSON out)."""

from __future__ import annotations

from datetime import date

from hacienda_cr.clave import CONSECUTIVO_DOC_TYPES, Clave, Consecutivo
from hacienda_cr.cli import print_json
from hacienda_cr.costa_rica_time import now
from hacienda_cr.documents import SCHEMA_SETS, default_schema_set
from hacienda_cr.errors import InputError, Issue


def register(sub) -> None:
    p = sub.add_parser("clave", help="compose or parse a clave (JSON out)")
    actions = p.add_subparsers(dest="clave_action", metavar="ACTION")
    actions.required = True
    new = actions.add_parser("new", help="compose a clave and its NumeroConsecutivo")
    new.add_argument("--id", required=True, help="emitter identification number")
    new.add_argument("--doc-type", required=True, choices=CONSECUTIVO_DOC_TYPES)
    new.add_argument("--number", required=True, type=int, help="sequence number of the document")
    new.add_argument("--branch", type=int, default=1, help="establishment (sucursal), default 1")
    new.add_argument("--terminal", type=int, default=1, help="terminal (punto de venta), default 1")
    new.add_argument("--date", help="date of issue YYYY-MM-DD (default: today in Costa Rica)")
    new.add_argument(
        "--situation", default="1", choices=("1", "2", "3"), help="1 normal, 2 contingencia, 3 sin internet"
    )
    new.add_argument("--security-code", help="8 characters (default: random)")
    new.add_argument("--schema-set", choices=SCHEMA_SETS, help="default: the set in force on --date")
    new.set_defaults(func=run_new)
    parse = actions.add_parser("parse", help="split a clave into its parts")
    parse.add_argument("clave")
    parse.set_defaults(func=run_parse)


def run_new(args) -> int:
    try:
        issued = date.fromisoformat(args.date) if args.date else now().date()
    except ValueError:
        raise InputError(Issue("--date", f"{args.date!r} is not a date YYYY-MM-DD")) from None
    schema_set = args.schema_set or default_schema_set(issued)
    consecutivo = Consecutivo(args.branch, args.terminal, args.doc_type, args.number)
    clave = Clave.new(
        issued, args.id, consecutivo, args.situation, args.security_code, alphanumeric=schema_set != "v4.4"
    )
    print_json({**clave.as_dict(), "schema_set": schema_set})
    return 0


def run_parse(args) -> int:
    print_json(Clave.parse(args.clave).as_dict())
    return 0
