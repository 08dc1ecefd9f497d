"""``hacienda-cr status CLAVE``: ask Hacienda (or the simulator) where a document stands.

Prints JSON like ``submit``. Exit codes: 0 accepted (or still in progress, without
--wait); 1 rejected, error or unknown to Hacienda; 2 bad input or configuration; 3 try
again later (unreachable, or still not final after --wait).
"""

from __future__ import annotations

import re
from pathlib import Path

from hacienda_cr.cli import print_json
from hacienda_cr.cli.submit import add_connection_arguments, client_from_args, exit_code, report, transient_failure
from hacienda_cr.errors import InputError, Issue


def register(sub) -> None:
    p = sub.add_parser(
        "status",
        help="query a document's status at Hacienda (or the simulator) and print it as JSON",
        description=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("clave", metavar="CLAVE", help="the 50-character clave (or CLAVE-CONSECUTIVORECEPTOR)")
    p.add_argument("--consecutivo-receptor", metavar="N", help="for a Mensaje Receptor: its 20-digit consecutivo")
    add_connection_arguments(p)
    p.add_argument("--wait", action="store_true", help="poll until aceptado/rechazado")
    p.add_argument("--out-dir", type=Path, default=Path("."), help="where to save the MensajeHacienda (default: .)")
    p.set_defaults(func=run)


def split_resource(text: str, consecutivo: str | None) -> tuple[str, str | None]:
    m = re.fullmatch(r"([A-Za-z0-9]{50})(?:-(\d{20}))?", text.strip())
    if not m:
        raise InputError(Issue("CLAVE", f"{text!r} is not a clave (50 letters or digits, optionally -CONSECUTIVO)"))
    if m.group(2) and consecutivo and m.group(2) != consecutivo:
        raise InputError(Issue("--consecutivo-receptor", "differs from the consecutivo given after the clave"))
    return m.group(1), m.group(2) or consecutivo


def run(args) -> int:
    from hacienda_cr.api import TransientError

    clave, consecutivo = split_resource(args.clave, args.consecutivo_receptor)
    with client_from_args(args) as client:
        try:
            if args.wait:
                result = client.wait_final(clave, consecutivo, timeout=args.timeout)
            else:
                result = client.status(clave, consecutivo)
        except TransientError as exc:
            return transient_failure(exc)
    print_json(report(result, args.out_dir))
    return exit_code(result.state, waited=args.wait)
