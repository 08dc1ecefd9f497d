"""Hacienda's files the stack uses but the project never ships -- the XSDs (schemas_dir), the
national PKI certificates (pki_dir) -- found the same way for both. First match wins: the
explicit variable (HACIENDA_XSD_DIR, HACIENDA_PKI_DIR); `$HACIENDA_SHARED_DIR/<kind>`;
`<repo>/../shared/hacienda/<kind>` (this project's CI); then the copy an earlier `up` made in
STACK_HOME; last, `hacienda-cr <command> fetch`, which keeps only files matching its pins."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from einvoice_stack.layout import Layout
from einvoice_stack.progress import StackError
from einvoice_stack.runtime_user import chown, run_as


def source_dir(layout: Layout, variable: str, kind: str, usable: Callable[[Path], bool],
               unusable: str) -> tuple[Path | None, str]:
    """(directory, where it was found) or (None, ""); `variable` naming an unusable directory
    is an error (`unusable` says what it lacks)."""
    explicit = os.environ.get(variable)
    if explicit:
        path = Path(explicit)
        if not usable(path):
            raise StackError(f"{variable}={explicit} {unusable}")
        return path, variable
    shared = os.environ.get("HACIENDA_SHARED_DIR")
    candidates = [(Path(shared) / kind, "HACIENDA_SHARED_DIR")] if shared else []
    candidates.append((layout.repo.parent / "shared" / "hacienda" / kind, "the shared directory beside the checkout"))
    for path, origin in candidates:
        if usable(path):
            return path, origin
    return None, ""


def fetch(layout: Layout, command: str, target: Path, missing: str, advice: str) -> None:
    """`hacienda-cr COMMAND fetch --dest TARGET` as the runtime account, or StackError saying
    what is `missing` and the `advice`."""
    chown(target, recursive=True)
    result = run_as([layout.venv_bin("hacienda-cr"), command, "fetch", "--dest", target, "--timeout", "30"],
                    check=False, capture=True, timeout=300)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise StackError(f"{missing}: 'hacienda-cr {command} fetch' failed ({reason}). {advice}")
