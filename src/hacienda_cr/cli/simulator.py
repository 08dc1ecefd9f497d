"""``hacienda-cr simulator``: run the local Hacienda (IDP + reception API) until stopped."""

from __future__ import annotations

import logging
from pathlib import Path

from hacienda_cr.documents import SCHEMA_SETS


def register(sub) -> None:
    p = sub.add_parser(
        "simulator",
        help="run a local Hacienda (tokens, reception API, judging, fault injection)",
        description="Serve Hacienda's IDP and reception API paths locally. Command-line options override "
        "the --config file. See docs/simulator.md.",
    )
    p.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 8090; 0 picks a free one and prints it)")
    p.add_argument("--db", type=Path, help="SQLite database (default ./hacienda-simulator.sqlite3); its signing key sits next to it")
    p.add_argument("--user", action="append", default=[], metavar="USERNAME:PASSWORD", help="an API user (repeatable)")
    p.add_argument("--users-file", type=Path, metavar="FILE", help="one USERNAME:PASSWORD a line (keeps secrets off the command line)")
    p.add_argument("--config", type=Path, metavar="FILE", help="TOML or JSON settings: users with taxpayers, delays, faults…")
    p.add_argument("--xsd-dir", type=Path, help="directory of Hacienda's XSDs (default: $HACIENDA_XSD_DIR or the fetch cache)")
    p.add_argument("--schema-set", choices=SCHEMA_SETS, help="judge every document with this set (default: detect per document)")
    p.add_argument("--processing-delay", type=float, metavar="SECONDS", help="time from recibido to the final state (default 2)")
    p.add_argument("--token-ttl", type=float, metavar="SECONDS", help="access token lifetime (default 300)")
    p.add_argument("--refresh-token-ttl", type=float, metavar="SECONDS", help="refresh token lifetime (default 36000)")
    p.add_argument(
        "--faults",
        metavar="SPEC",
        help="fault probabilities, e.g. 'latency=0.1:0.01-0.05,rate_limit=0.05:1,server_error=0.05,"
        "reset_before=0.03,reset_after=0.03,timeout_before=0.02:35,timeout_after=0.02:35,token_outage=0.05,reject=0.02'",
    )
    p.add_argument("--seed", type=int, help="seed of the fault draws")
    p.add_argument("--public-data", type=Path, metavar="FILE",
                   help="JSON data set of the public data services (taxpayers, rates, exoneraciones, cabys), "
                   "merged into the stored one")
    p.add_argument("--cabys-file", type=Path, metavar="FILE",
                   help="the CABYS catalogue as CSV (codigo, descripcion, impuesto) for /fe/cabys")
    p.add_argument("--access-log", action="store_true", help="log every request to stderr")
    p.add_argument("--control-token-file", type=Path, metavar="FILE",
                   help="require 'Authorization: Bearer <the file's token>' on /_simulator/* (deployments); "
                        "without it those endpoints are open (tests)")
    p.add_argument("--signing-p12", type=Path, metavar="FILE",
                   help="seal the MensajeHacienda answers with this PKCS#12 (with --signing-pin-file); "
                        "default: a test key made on first start, kept beside --db")
    p.add_argument("--signing-pin-file", type=Path, metavar="FILE", help="the PIN of --signing-p12 (first line)")
    p.set_defaults(func=run)


def build_config(args):
    from hacienda_cr.errors import ConfigurationError
    from hacienda_cr.simulator.config import SimulatorConfig, load_config_file, parse_user_arg, read_users_file
    from hacienda_cr.simulator.faults import parse_spec

    config = load_config_file(args.config) if args.config else SimulatorConfig()
    for key in ("host", "port", "db", "xsd_dir", "schema_set", "processing_delay", "seed", "signing_p12",
                "signing_pin_file", "public_data", "cabys_file"):
        value = getattr(args, key)
        if value is not None:
            setattr(config, key, value)
    if args.token_ttl is not None:
        config.token_ttl = args.token_ttl
    if args.refresh_token_ttl is not None:
        config.refresh_token_ttl = args.refresh_token_ttl
    if args.access_log:
        config.access_log = True
    if args.control_token_file is not None:
        try:
            config.control_token = args.control_token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigurationError(f"--control-token-file {args.control_token_file}: {exc.strerror}") from None
    if args.users_file:
        config.users.extend(read_users_file(args.users_file))
    config.users.extend(parse_user_arg(u) for u in args.user)
    if args.faults is not None:
        config.faults = parse_spec(args.faults)
    config.check()
    return config


def run(args) -> int:
    from hacienda_cr.simulator.server import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(build_config(args))
    return 0
