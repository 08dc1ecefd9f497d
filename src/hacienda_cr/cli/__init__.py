"""The ``hacienda-cr`` command line: argument parsing only, the work is in the library.

Each subcommand lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a callable taking the
parsed arguments and returning the exit code. Exit codes: 0 success, 1 a negative answer
(e.g. a signature that does not verify, a rejected document), 2 bad input or
configuration, with the reasons on stderr and never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from hacienda_cr import __version__
from hacienda_cr.errors import ConfigurationError, InputError

COMMAND_MODULES = (
    "build",
    "validate",
    "sign",
    "verify",
    "clave",
    "testcert",
    "schemas",
    "pki",
    "submit",
    "status",
    "simulator",
    "lookup",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hacienda-cr",
        description="Costa Rica electronic invoicing (Hacienda v4.4) tools.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"hacienda_cr.cli.{name}").register(sub)
    return parser


def print_json(data: object) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        for issue in exc.issues:
            print(f"error: {issue}", file=sys.stderr)
        return 2
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. head
        return 0
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
