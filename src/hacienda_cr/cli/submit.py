"""``hacienda-cr submit SIGNED.xml``: send a signed document to Hacienda (or the simulator).

Prints JSON: the clave, the state, the reason, and where the MensajeHacienda was saved.
Exit codes: 0 accepted (or received, without --wait); 1 rejected; 2 bad input or
configuration (credentials, URLs, permissions); 3 try again later (Hacienda unreachable,
or no final answer within --timeout).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hacienda_cr.cli import print_json
from hacienda_cr.errors import ConfigurationError

EXIT_TRY_LATER = 3


def add_connection_arguments(p) -> None:
    from hacienda_cr.api.config import ENVIRONMENTS

    g = p.add_argument_group("connection")
    g.add_argument(
        "--env",
        choices=sorted(ENVIRONMENTS),
        default="simulator",
        help="preset URLs, client id and retry/timeout numbers (default: simulator on 127.0.0.1:8090)",
    )
    g.add_argument("--api", metavar="URL", help="reception API base, e.g. https://api-sandbox.comprobanteselectronicos.go.cr/recepcion/v1/")
    g.add_argument("--idp", metavar="URL", help="IDP base, realm URL or token endpoint, e.g. https://idp.comprobanteselectronicos.go.cr")
    g.add_argument("--realm", help="IDP realm (default: rut-stag; rut for --env production)")
    g.add_argument("--client-id", help="OAuth client id (default: api-stag; api-prod for --env production)")
    g.add_argument("--user", required=True, metavar="USERNAME", help="API username, e.g. cpj-3-101-123456@stag.comprobanteselectronicos.go.cr")
    secret = g.add_mutually_exclusive_group(required=True)
    secret.add_argument("--password-env", metavar="VAR", help="environment variable holding the API password")
    secret.add_argument("--password-file", type=Path, metavar="FILE", help="file holding the API password (first line)")
    g.add_argument("--token-cache", metavar="REDIS_URL", help="share tokens through Redis, e.g. redis://127.0.0.1:6379/0")
    g.add_argument("--timeout", type=float, metavar="SECONDS", help="how long --wait polls for a final answer")


def _password(args) -> str:
    if args.password_env:
        value = os.environ.get(args.password_env)
        if not value:
            raise ConfigurationError(f"environment variable {args.password_env} is not set (it should hold the API password)")
        return value
    try:
        lines = args.password_file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigurationError(f"password file {args.password_file}: {exc.strerror or exc}") from None
    if not lines or not lines[0]:
        raise ConfigurationError(f"password file {args.password_file} is empty")
    return lines[0]


def client_from_args(args):
    from hacienda_cr.api import ClientConfig, HaciendaClient

    config = ClientConfig.for_environment(
        args.env,
        args.user,
        _password(args),
        api_url=args.api,
        idp_url=args.idp,
        realm=args.realm,
        client_id=args.client_id,
        token_cache_url=args.token_cache,
    )
    return HaciendaClient(config)


def save_answer(result, out_dir: Path) -> str | None:
    if result.respuesta_xml is None:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{result.resource}-respuesta.xml"
    path.write_bytes(result.respuesta_xml)
    return str(path)


def report(result, out_dir: Path, extra: dict | None = None) -> dict:
    return {
        **(extra or {}),
        **result.as_dict(),
        "mensaje_hacienda": save_answer(result, out_dir),
    }


def exit_code(state: str, waited: bool) -> int:
    if state == "aceptado":
        return 0
    if state in ("rechazado", "error", "not_found"):
        return 1
    return EXIT_TRY_LATER if waited else 0


def transient_failure(exc) -> int:
    print(f"error: {exc.message} (a temporary problem: try again later)", file=sys.stderr)
    return EXIT_TRY_LATER


def register(sub) -> None:
    p = sub.add_parser(
        "submit",
        help="send a signed document to Hacienda (or the simulator) and print its status as JSON",
        description=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("input", type=Path, metavar="SIGNED.xml")
    add_connection_arguments(p)
    p.add_argument("--wait", action="store_true", help="poll until aceptado/rechazado and save the MensajeHacienda")
    p.add_argument("--callback-url", metavar="URL", help="ask Hacienda to POST the final status to this URL")
    p.add_argument("--out-dir", type=Path, help="where to save the MensajeHacienda (default: next to SIGNED.xml)")
    p.add_argument(
        "--may-have-arrived",
        action="store_true",
        help="an earlier attempt may have reached Hacienda: ask the status before sending",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from hacienda_cr.api import DocumentRejected, TransientError

    xml = args.input.read_bytes()
    out_dir = args.out_dir or args.input.resolve().parent
    with client_from_args(args) as client:
        try:
            outcome = client.submit(xml, args.callback_url, may_have_arrived=args.may_have_arrived)
        except DocumentRejected as exc:
            print_json({"clave": exc.clave, "state": "refused", "final": True, "reason": exc.reason, "mensaje_hacienda": None})
            return 1
        except TransientError as exc:
            return transient_failure(exc)
        submitted = outcome.as_dict()
        if not args.wait:
            result = outcome.status
            if result is None:
                print_json({**submitted, "state": "recibido", "final": False, "reason": None, "mensaje_hacienda": None})
                return 0
            print_json(report(result, out_dir, {"submitted": submitted}))
            return exit_code(result.state, waited=False)
        try:
            result = client.wait_final(outcome.clave, outcome.consecutivo_receptor, timeout=args.timeout)
        except TransientError as exc:
            return transient_failure(exc)
        print_json(report(result, out_dir, {"submitted": submitted}))
        return exit_code(result.state, waited=True)
