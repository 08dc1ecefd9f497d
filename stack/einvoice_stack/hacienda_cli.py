"""Finding the `hacienda-cr` command, which makes the stack's test certificates (the stack's
package does not import the library: on NixOS it runs on another interpreter)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


class NoHaciendaCli(Exception):
    pass


def command(explicit: str | None = None) -> list[str]:
    """`hacienda-cr` from `explicit`, $HACIENDA_CR, PATH, this interpreter's venv, or the module."""
    explicit = explicit or os.environ.get("HACIENDA_CR")
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
    raise NoHaciendaCli("no 'hacienda-cr' command (PATH, $HACIENDA_CR) and no hacienda_cr module for this python")
