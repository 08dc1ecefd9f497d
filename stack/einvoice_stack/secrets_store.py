"""The stack's generated secrets: one file each under STACK_HOME/secrets, mode 0600.

Names follow the NixOS deployment's secret files, so the stack tests read the same
paths in both (`odoo-admin-password`, `hacienda-credentials`, `metrics-token`).
A secret is generated once and never rotated by `up`; delete its file to rotate it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from einvoice_stack.layout import Layout
from einvoice_stack.runtime_user import chown

ADMIN_PASSWORD = "odoo-admin-password"
DB_PASSWORD = "odoo-db-password"
ODOO_MASTER_PASSWORD = "odoo-master-password"
HACIENDA_CREDENTIALS = "hacienda-credentials"
CERTIFICATE_PIN = "certificate-pin"
METRICS_TOKEN = "metrics-token"
GRAFANA_ADMIN_PASSWORD = "grafana-admin-password"
GRAFANA_SECRET_KEY = "grafana-secret-key"


def _generators(settings: dict) -> dict[str, callable]:
    return {
        ADMIN_PASSWORD: lambda: secrets.token_urlsafe(18),
        DB_PASSWORD: lambda: secrets.token_hex(24),
        # Odoo's admin_passwd guards the database manager (blocked by nginx anyway).
        ODOO_MASTER_PASSWORD: lambda: secrets.token_hex(24),
        HACIENDA_CREDENTIALS: lambda: f"{settings['simulator']['user']}:{secrets.token_hex(24)}",
        # Hacienda's certificate PINs are 4 digits; keep the shape, the value is random.
        CERTIFICATE_PIN: lambda: f"{secrets.randbelow(10_000):04d}",
        METRICS_TOKEN: lambda: secrets.token_hex(32),
        GRAFANA_ADMIN_PASSWORD: lambda: secrets.token_urlsafe(18),
        GRAFANA_SECRET_KEY: lambda: secrets.token_hex(32),
    }


def write_private(path: Path, data: bytes) -> None:
    """Write a file readable by its owner only, atomically (no window with wider modes)."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    chown(tmp)
    os.replace(tmp, path)


def ensure_secrets(layout: Layout, settings: dict) -> list[str]:
    """Create the missing secret files; return the names created."""
    layout.secrets.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.secrets, 0o700)
    chown(layout.secrets)
    created = []
    for name, make in _generators(settings).items():
        path = layout.secret(name)
        if path.is_file() and path.stat().st_size > 0:
            # Keep the value, repair the mode/owner if someone widened them.
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
            chown(path)
            continue
        write_private(path, (make() + "\n").encode())
        created.append(name)
    return created


def read_secret(layout: Layout, name: str) -> str:
    path = layout.secret(name)
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        from einvoice_stack.progress import StackError

        raise StackError(f"secret {path} is missing: run scripts/stack up") from None
