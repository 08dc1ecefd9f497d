"""The staging company's test certificate (.p12): made with `hacienda-cr testcert` when
the file is missing, for the emitter of settings.toml's [hacienda], issued by the stack's test
CA when the seed is given one (TEST_PKI_DIR, einvoice_stack.test_pki). NOT for production."""

from __future__ import annotations

import os
import subprocess

from einvoice_stack import hacienda_cli, test_pki
from einvoice_stack.seed_env import SeedEnv, SeedError

PIN_VARIABLE = "STACK_SEED_CERTIFICATE_PIN"


def _hacienda_cr_command() -> list[str]:
    try:
        return hacienda_cli.command()
    except hacienda_cli.NoHaciendaCli as exc:
        raise SeedError(f"cannot make the test certificate: {exc}") from None


def ensure(env: SeedEnv) -> bool:
    """Create CERTIFICATE_FILE if missing; True when created."""
    path = env.certificate_file
    if path.is_file() and path.stat().st_size > 0:
        return False
    hacienda = env.settings["hacienda"]
    if not path.parent.is_dir():
        raise SeedError(f"CERTIFICATE_FILE={path}: its directory does not exist")
    issuer = []
    if env.test_pki_dir is not None:
        issuer = ["--ca-cert", str(env.test_pki_dir / test_pki.CA_CERT),
                  "--ca-key", str(env.test_pki_dir / test_pki.CA_KEY)]
    result = subprocess.run(
        [*_hacienda_cr_command(), "testcert", "-o", str(path), "--pin-env", PIN_VARIABLE,
         "--id-type", hacienda["emitter_id_type"], "--id", hacienda["emitter_id"],
         "--name", hacienda["emitter_name"], *issuer],
        env={**os.environ, PIN_VARIABLE: env.pin()}, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SeedError(f"hacienda-cr testcert failed: {result.stderr.strip() or result.stdout.strip()}")
    # Same owner as the directory holding it (the stack's secrets belong to its runtime account).
    if os.geteuid() == 0:
        parent = path.parent.stat()
        os.chown(path, parent.st_uid, parent.st_gid)
    return True
