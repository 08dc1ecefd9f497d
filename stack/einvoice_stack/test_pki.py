"""The staging stack's own test PKI, made once, only for a stack that talks to the Hacienda
simulator. In its directory (0700):

    ca.pem, ca.key       the stack's test CA (`hacienda-cr testcert`, "CA SINPE - PERSONA
                         JURIDICA v2 (TEST)"). It stands in for Costa Rica's national PKI in
                         staging: Odoo trusts it, besides the national PKI, for the supplier
                         documents of companies working with the simulator
                         (l10n_cr_einvoice_simulator_trust_anchors); the staging company's and
                         the demo supplier's certificates are issued by it.
    simulator-seal.p12   the key the simulator seals its answers (MensajeHacienda) with, issued
    simulator-seal.pin   by that CA for the Ministerio de Hacienda (the simulator's
    simulator-seal.pem   --signing-p12/--signing-pin-file); its certificate is Hacienda's for
                         Odoo (l10n_cr_einvoice_hacienda_certificates): answers must verify
                         against it.

The plain host keeps it in STACK_HOME/test-pki (`scripts/stack up`, owned by the runtime
account); the NixOS module in `testPki.directory`, through this module's command line:

    python -m einvoice_stack.test_pki --dir DIR [--hacienda-cr PATH]

A sandbox or production stack makes none of it and names none of it (stackconf.pki_options).
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from einvoice_stack import hacienda_cli, stackconf

_FILES = stackconf.TEST_PKI_FILES  # the NixOS module reads the names from the resolved settings
CA_CERT, CA_KEY = _FILES["ca_cert"], _FILES["ca_key"]
SEAL_P12, SEAL_PIN, SEAL_CERT = _FILES["seal_p12"], _FILES["seal_pin"], _FILES["seal_cert"]
FILES = (CA_CERT, CA_KEY, SEAL_P12, SEAL_PIN, SEAL_CERT)
# The simulator's own key names the Ministerio de Hacienda the same way (hacienda_cr.simulator.identity).
SEAL_ID = ("02", "2100042005")
SEAL_NAME = "MINISTERIO DE HACIENDA (SIMULADOR)"
SEAL_DAYS = 3650
PIN_VARIABLE = "EINVOICE_STACK_TEST_PKI_PIN"


class TestPkiError(Exception):
    """hacienda-cr testcert failed, or the directory is not usable."""

    __test__ = False  # not a pytest test class despite the name


def _present(directory: Path, *names: str) -> bool:
    return all((directory / name).is_file() and (directory / name).stat().st_size > 0 for name in names)


def _testcert(hacienda_cr: list[str], directory: Path, pin: str, *extra: str) -> None:
    """The Ministerio de Hacienda's sealing certificate into `directory` (with `extra`: the CA)."""
    result = subprocess.run(
        [*hacienda_cr, "testcert", "-o", str(directory / SEAL_P12), "--pin-env", PIN_VARIABLE,
         "--id-type", SEAL_ID[0], "--id", SEAL_ID[1], "--name", SEAL_NAME, "--days", str(SEAL_DAYS),
         "--cert-out", str(directory / SEAL_CERT), *extra],
        env={**os.environ, PIN_VARIABLE: pin}, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise TestPkiError(f"hacienda-cr testcert failed: {(result.stderr or result.stdout).strip()}")
    fd = os.open(directory / SEAL_PIN, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(pin + "\n")


def ensure(directory: Path, hacienda_cr: list[str]) -> list[str]:
    """Make what is missing; return the names of the files made ([] when all were there).

    Without its CA (either file missing) everything is made anew: certificates of a CA that is
    gone are no use. With the CA, a missing piece of the sealing key is issued again by it."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    if _present(directory, *FILES):
        return []
    pin = secrets.token_hex(24)
    if _present(directory, CA_CERT, CA_KEY):
        with tempfile.TemporaryDirectory(dir=directory) as tmp:
            _testcert(hacienda_cr, Path(tmp), pin, "--ca-cert", str(directory / CA_CERT),
                      "--ca-key", str(directory / CA_KEY))
            made = [SEAL_P12, SEAL_PIN, SEAL_CERT]
            for name in made:
                os.replace(Path(tmp) / name, directory / name)
        return made
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        _testcert(hacienda_cr, Path(tmp), pin, "--ca-out", str(Path(tmp) / Path(CA_CERT).stem))
        # the CA last: a half-made directory is made anew next time
        for name in (SEAL_P12, SEAL_PIN, SEAL_CERT, CA_KEY, CA_CERT):
            os.replace(Path(tmp) / name, directory / name)
    return list(FILES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make the staging stack's test CA and the simulator's sealing key "
                                                 "where they are missing (staging with the Hacienda simulator only).")
    parser.add_argument("--dir", required=True, type=Path, help="the test PKI's directory (created 0700)")
    parser.add_argument("--hacienda-cr", help="the hacienda-cr command (default: from PATH)")
    args = parser.parse_args(argv)
    old_umask = os.umask(0o077)
    try:
        made = ensure(args.dir, hacienda_cli.command(args.hacienda_cr))
    except (TestPkiError, hacienda_cli.NoHaciendaCli, OSError) as exc:
        print(f"test_pki: {exc}", file=sys.stderr)
        return 1
    finally:
        os.umask(old_umask)
    if made:
        print(f"test_pki: made {', '.join(made)} in {args.dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
