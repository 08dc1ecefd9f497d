"""Hacienda's XSDs for the stack: copied into STACK_HOME/xsd, checked by SHA-256.

The project never ships Hacienda's files. Where they come from, first match wins:
`HACIENDA_XSD_DIR`; `$HACIENDA_SHARED_DIR/xsd`; `<repo>/../shared/hacienda/xsd` (this
project's CI); a copy made by an earlier `up`; `hacienda-cr schemas fetch` (online).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from einvoice_stack.layout import Layout
from einvoice_stack.progress import StackError
from einvoice_stack.runtime_user import chown, run_as

SETS = ("v4.4", "v4.4-2026")
XMLDSIG = "xmldsig-core-schema.xsd"


def _has_sets(path: Path) -> bool:
    return path.is_dir() and any((path / s).is_dir() and any((path / s).glob("*.xsd")) for s in SETS)


def source_dir(layout: Layout) -> tuple[Path | None, str]:
    explicit = os.environ.get("HACIENDA_XSD_DIR")
    if explicit:
        path = Path(explicit)
        if not _has_sets(path):
            raise StackError(f"HACIENDA_XSD_DIR={explicit} has no v4.4/ or v4.4-2026/ directory of XSD files")
        return path, "HACIENDA_XSD_DIR"
    shared = os.environ.get("HACIENDA_SHARED_DIR")
    candidates = [(Path(shared) / "xsd", "HACIENDA_SHARED_DIR")] if shared else []
    candidates.append((layout.repo.parent / "shared" / "hacienda" / "xsd", "the shared directory beside the checkout"))
    for path, origin in candidates:
        if _has_sets(path):
            return path, origin
    return None, ""


def _copy(source: Path, target: Path) -> bool:
    """Mirror source's *.xsd (and the XML-DSig schema next to it) into target."""
    changed = False
    files = {p.relative_to(source): p for p in source.rglob("*.xsd")}
    dsig = source.parent / XMLDSIG
    if dsig.is_file() and Path(XMLDSIG) not in files:
        files[Path(XMLDSIG)] = dsig
    for rel, src in files.items():
        dst = target / rel
        if dst.is_file() and dst.read_bytes() == src.read_bytes():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        changed = True
    return changed


def ensure(layout: Layout) -> str:
    """Fill STACK_HOME/xsd; return a note on where the schemas came from (or raise)."""
    target = layout.xsd
    target.mkdir(parents=True, exist_ok=True)
    source, origin = source_dir(layout)
    note = ""
    if source is not None:
        changed = _copy(source, target)
        note = f"{'copied' if changed else 'same as'} {source} ({origin})"
    elif _has_sets(target):
        note = f"kept the schemas already in {target}"
    else:
        chown(target, recursive=True)
        result = run_as([layout.venv_bin("hacienda-cr"), "schemas", "fetch", "--dest", target, "--timeout", "30"],
                        check=False, capture=True, timeout=300)
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise StackError(
                f"no Hacienda XSD schemas: 'hacienda-cr schemas fetch' failed ({reason}). Point "
                "HACIENDA_XSD_DIR at a directory holding v4.4/ (and/or v4.4-2026/) with Hacienda's XSD files"
            )
        note = f"downloaded into {target}"
    chown(target, recursive=True)
    check = run_as([layout.venv_bin("hacienda-cr"), "schemas", "check", "--xsd-dir", target],
                   check=False, capture=True)
    if check.returncode != 0:
        try:
            bad = [e["file"] for e in json.loads(check.stdout) if e.get("status") != "ok"]
        except (ValueError, TypeError, KeyError):
            bad = [check.stderr.strip()]
        raise StackError(f"the XSDs in {target} do not match Hacienda's published SHA-256: {', '.join(bad)[:500]}")
    return note
