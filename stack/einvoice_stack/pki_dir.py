"""Costa Rica's national PKI certificates for the stack: copied into STACK_HOME/pki, checked
against the SHA-256 pins of hacienda_cr (`hacienda-cr pki check`). Odoo refuses every supplier
document whose signer does not chain to them (l10n_cr_einvoice_pki_dir).

The project never ships them. Where they come from (shared_material), first match wins, as
the XSDs: `HACIENDA_PKI_DIR`; `$HACIENDA_SHARED_DIR/pki`; `<repo>/../shared/hacienda/pki`
(this project's CI); a copy made by an earlier `up`; `hacienda-cr pki fetch` (online: only
the national root and the two policy CAs have a published address -- the SINPE intermediates
and Hacienda's root are then reported missing, to be placed in STACK_HOME/pki by hand).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from einvoice_stack import shared_material
from einvoice_stack.layout import Layout
from einvoice_stack.progress import StackError
from einvoice_stack.runtime_user import chown, run_as

# What a certificate file may be called (hacienda_cr.pki reads PEM or DER under the names of
# its pin list; these are the suffixes those names and the published files use).
SUFFIXES = (".pem", ".crt", ".cer", ".der")


def _certificates(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_file() and p.suffix in SUFFIXES) if path.is_dir() else []


def source_dir(layout: Layout) -> tuple[Path | None, str]:
    return shared_material.source_dir(layout, "HACIENDA_PKI_DIR", "pki", lambda p: bool(_certificates(p)),
                                      f"holds no certificate file ({', '.join(SUFFIXES)})")


def _copy(source: Path, target: Path) -> bool:
    changed = False
    for src in _certificates(source):
        dst = target / src.name
        if dst.is_file() and dst.read_bytes() == src.read_bytes():
            continue
        shutil.copyfile(src, dst)
        changed = True
    return changed


def check(layout: Layout, target: Path) -> list[str]:
    """The pinned certificates missing from `target` (the others are the pinned ones); raise
    when a file is not the certificate its name pins, or when no root certificate is there."""
    result = run_as([layout.venv_bin("hacienda-cr"), "pki", "check", "--pki-dir", target], check=False, capture=True)
    try:
        report = json.loads(result.stdout)
        statuses = {entry["file"]: (entry["status"], entry["role"]) for entry in report}
    except (ValueError, TypeError, KeyError):
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise StackError(f"the national PKI certificates in {target} could not be checked: {reason}") from None
    wrong = sorted(name for name, (status, _role) in statuses.items() if status == "mismatch")
    if wrong:
        raise StackError(f"{target}: not the official certificates (SHA-256 differs from the pin): {', '.join(wrong)}")
    if not any(status == "ok" and role == "anchor" for status, role in statuses.values()):
        raise StackError(f"{target} holds none of the national PKI's root certificates: point HACIENDA_PKI_DIR at "
                         "a directory with them (docs/security.md)")
    return sorted(name for name, (status, _role) in statuses.items() if status == "missing")


def ensure(layout: Layout) -> str:
    """Fill STACK_HOME/pki; return a note on where the certificates came from (or raise)."""
    target = layout.pki
    target.mkdir(parents=True, exist_ok=True)
    source, origin = source_dir(layout)
    if source is not None:
        note = f"{'copied' if _copy(source, target) else 'same as'} {source} ({origin})"
    elif _certificates(target):
        note = f"kept the certificates already in {target}"
    else:
        shared_material.fetch(layout, "pki", target, "no national PKI certificates",
                              "Point HACIENDA_PKI_DIR at a directory holding Costa Rica's Firma Digital "
                              "certificates (docs/security.md)")
        note = f"downloaded into {target}"
    chown(target, recursive=True)
    missing = check(layout, target)
    if missing:
        note += f"; missing (chains through them fail; place them in {target}): {', '.join(missing)}"
    return note
