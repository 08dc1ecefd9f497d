"""The staging company's test certificate (.p12): made with `hacienda-cr testcert` when
the file is missing, for the emitter of settings.toml's [hacienda]. NOT for production."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from einvoice_stack.seed_env import SeedEnv, SeedError

PIN_VARIABLE = "STACK_SEED_CERTIFICATE_PIN"


def _hacienda_cr_command() -> list[str]:
    """`hacienda-cr` from $HACIENDA_CR, PATH, this interpreter's venv, or the module."""
    explicit = os.environ.get("HACIENDA_CR")
    if explicit:
        return [explicit]
    found = shutil.which("hacienda-cr")
    if found:
        return [found]
    beside = Path(sys.executable).with_name("hacienda-cr")
    if beside.is_file():
        return [str(beside)]
    probe = subprocess.run([sys.executable, "-c", "import hacienda_cr"], capture_output=True, check=False)
    if probe.returncode == 0:
        return [sys.executable, "-m", "hacienda_cr"]
    raise SeedError("cannot make the test certificate: no 'hacienda-cr' command (PATH, $HACIENDA_CR) and "
                    "no hacienda_cr module for this python")


def ensure(env: SeedEnv) -> bool:
    """Create CERTIFICATE_FILE if missing; True when created."""
    path = env.certificate_file
    if path.is_file() and path.stat().st_size > 0:
        return False
    hacienda = env.settings["hacienda"]
    if not path.parent.is_dir():
        raise SeedError(f"CERTIFICATE_FILE={path}: its directory does not exist")
    result = subprocess.run(
        [*_hacienda_cr_command(), "testcert", "-o", str(path), "--pin-env", PIN_VARIABLE,
         "--id-type", hacienda["emitter_id_type"], "--id", hacienda["emitter_id"],
         "--name", hacienda["emitter_name"]],
        env={**os.environ, PIN_VARIABLE: env.pin()}, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SeedError(f"hacienda-cr testcert failed: {result.stderr.strip() or result.stdout.strip()}")
    # Same owner as the directory holding it (the stack's secrets belong to its runtime account).
    if os.geteuid() == 0:
        parent = path.parent.stat()
        os.chown(path, parent.st_uid, parent.st_gid)
    return True
