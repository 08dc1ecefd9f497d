"""Hacienda's XSDs for the stack: copied into STACK_HOME/xsd, checked by SHA-256.

The project never ships Hacienda's files. Where they come from (shared_material), first match
wins: `HACIENDA_XSD_DIR`; `$HACIENDA_SHARED_DIR/xsd`; `<repo>/../shared/hacienda/xsd` (this
project's CI); a copy made by an earlier `up`; `hacienda-cr schemas fetch` (online).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from einvoice_stack import shared_material
from einvoice_stack.layout import Layout
from einvoice_stack.progress import StackError
from einvoice_stack.runtime_user import chown, run_as

SETS = ("v4.4", "v4.4-2026")
XMLDSIG = "xmldsig-core-schema.xsd"


def _has_sets(path: Path) -> bool:
    return path.is_dir() and any((path / s).is_dir() and any((path / s).glob("*.xsd")) for s in SETS)


def source_dir(layout: Layout) -> tuple[Path | None, str]:
    return shared_material.source_dir(layout, "HACIENDA_XSD_DIR", "xsd", _has_sets,
                                      "has no v4.4/ or v4.4-2026/ directory of XSD files")


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
        shared_material.fetch(layout, "schemas", target, "no Hacienda XSD schemas", "Point HACIENDA_XSD_DIR at a directory holding v4.4/ "
                              "(and/or v4.4-2026/) with Hacienda's XSD files")
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
