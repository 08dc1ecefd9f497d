"""``hacienda-cr lookup taxpayer|rate|cabys|exoneration …``: ask Hacienda's public data
services (or the simulator) and print the answer as JSON.

Exit codes: 0 found; 1 Hacienda does not know it; 2 bad input or configuration; 3 the
service is down, slow or answered something malformed (try again later).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from hacienda_cr.cli import print_json
from hacienda_cr.errors import InputError, Issue

EXIT_NOT_FOUND = 1
EXIT_TRY_LATER = 3


def register(sub) -> None:
    from hacienda_cr.public_data import ENVIRONMENT_URLS

    p = sub.add_parser("lookup", help="look up taxpayers, exchange rates, CABYS codes and exonerations at Hacienda",
                       description=__doc__.split("\n\n", 1)[1])
    p.add_argument("--env", choices=sorted(ENVIRONMENT_URLS), default="simulator",
                   help="whose public API (default: the simulator on 127.0.0.1:8090; sandbox and production both "
                        "mean https://api.hacienda.go.cr)")
    p.add_argument("--url", metavar="URL", help="the public API base instead, e.g. http://127.0.0.1:8090")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="read timeout (default 10)")
    what = p.add_subparsers(dest="what", metavar="WHAT")
    what.required = True

    t = what.add_parser("taxpayer", help="name, regime, situation and economic activities of an identification")
    t.add_argument("identification", metavar="ID", help="the identification number (dashes allowed)")
    t.add_argument("--type", dest="id_type", choices=["01", "02", "03", "04"], help="its identification type")
    t.set_defaults(func=_taxpayer)

    r = what.add_parser("rate", help="the BCCR reference exchange rates Hacienda publishes")
    r.add_argument("currency", nargs="?", choices=["USD", "EUR", "usd", "eur"],
                   help="one currency (default: both, the latest)")
    r.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="the rate of that day (USD only for past days)")
    r.set_defaults(func=_rate)

    c = what.add_parser("cabys", help="search the CABYS catalogue by words, or read one code")
    c.add_argument("words", nargs="*", metavar="WORD", help="words of the description")
    c.add_argument("--code", metavar="CODE", help="one 13-digit code instead of a search")
    c.add_argument("--top", type=int, default=20, metavar="N", help="at most N results (default 20)")
    c.set_defaults(func=_cabys)

    e = what.add_parser("exoneration", help="an exoneration authorisation by its number")
    e.add_argument("number", metavar="NUMBER", help="e.g. AL-00012345-26")
    e.add_argument("--on", type=_date, metavar="YYYY-MM-DD", help="also say whether it is valid on that day")
    e.add_argument("--cabys", metavar="CODE", help="also say whether it covers that CABYS code")
    e.set_defaults(func=_exoneration)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _client(args):
    from hacienda_cr.public_data import LookupSettings, PublicDataClient, public_api_url

    settings = LookupSettings(read_timeout=args.timeout, outage_memory=0)
    return PublicDataClient(public_api_url(args.env, args.url), settings, user_agent="hacienda-cr-cli")


def _run(args, ask) -> int:
    from hacienda_cr.public_data import NotFound, ServiceUnavailable

    with _client(args) as client:
        try:
            print_json(ask(client))
        except NotFound as exc:
            print(f"not found: {exc}", file=sys.stderr)
            return EXIT_NOT_FOUND
        except ServiceUnavailable as exc:
            print(f"unavailable ({exc.kind}): {exc}", file=sys.stderr)
            return EXIT_TRY_LATER
    return 0


def _taxpayer(args) -> int:
    return _run(args, lambda client: client.taxpayer(args.identification, args.id_type).as_dict())


def _rate(args) -> int:
    if args.currency is None:
        if args.date is not None:
            raise InputError(Issue("currency", "name the currency (USD or EUR) to ask for the rate of a day"))
        return _run(args, lambda client: {k: v.as_dict() for k, v in client.exchange_rates().items()})
    return _run(args, lambda client: client.exchange_rate(args.currency, args.date).as_dict())


def _cabys(args) -> int:
    if args.code and args.words:
        raise InputError(Issue("--code", "give either words to search or --code, not both"))
    if args.code:
        return _run(args, lambda client: client.cabys(args.code).as_dict())
    if not args.words:
        raise InputError(Issue("WORD", "give words to search for, or --code CODE"))
    return _run(args, lambda client: client.cabys_search(" ".join(args.words), args.top).as_dict())


def _exoneration(args) -> int:
    def ask(client):
        exoneration = client.exoneration(args.number)
        data = exoneration.as_dict()
        code, other = exoneration.institution_code()
        data["institution_code"] = code
        if other:
            data["institution_other"] = other
        if args.on:
            data["valid_on"] = {"date": args.on.isoformat(), "valid": exoneration.valid_on(args.on)}
        if args.cabys:
            data["covers"] = {"cabys": args.cabys, "covered": exoneration.covers(args.cabys)}
        return data

    return _run(args, ask)
