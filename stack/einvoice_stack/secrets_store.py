"""The stack's generated secrets: one file each, one value a line.

The plain-host stack keeps them under STACK_HOME/secrets, mode 0600, owned by the runtime
account; the NixOS module (`secrets.generate`) creates missing ones with the same values
through this module's command line, root-owned, mode 0400:

    python -m einvoice_stack.secrets_store --kind certificate-pin --file PATH [--simulator-user USER]

Names follow the NixOS deployment's secret files, so the stack tests read the same
paths in both (`odoo-admin-password`, `hacienda-credentials`, `metrics-token`).
A secret is generated once and never rotated by `up`; delete its file to rotate it (the
certificate PIN of the stack's own test certificate is the exception: a 4-digit one from
before PINs were long is replaced, and the test certificate re-encrypted with the new one).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
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
# Bearer token of the simulator's control endpoints (/_simulator/*: faults, stats)
SIMULATOR_CONTROL_TOKEN = "simulator-control-token"
# Redis' password, in the NixOS deployments (the plain host's Redis listens on loopback)
REDIS_PASSWORD = "redis-password"


# The stack makes its own test certificate (hacienda-cr testcert): nothing limits its PIN to
# the 4 digits ATV gives taxpayers, and a PKCS#12 file is only as safe as its PIN. 48 hex
# digits, as the other secrets (PKCS#12 takes any string; so do Odoo's certificate module
# and ATV's files).
PIN_BYTES = 24
# A shorter PIN of the stack's own test certificate comes from before PINs were long.
MIN_PIN_LENGTH = 2 * PIN_BYTES
# Issuer of hacienda-cr testcert's certificates: their CA names itself a test one.
TEST_CA_SUFFIX = "(TEST)"


def generate(name: str, simulator_user: str, supplier_user: str | None = None) -> str:
    """A new value for the secret `name` (one of SECRETS). The Hacienda credentials are the
    simulator's users: the company's first (what Odoo logs in with), then the demo supplier's
    ([hacienda.demo_supplier], staging with the simulator)."""
    makers = {
        ADMIN_PASSWORD: lambda: secrets.token_urlsafe(18),
        DB_PASSWORD: lambda: secrets.token_hex(24),
        # Odoo's admin_passwd guards the database manager (blocked by nginx anyway).
        ODOO_MASTER_PASSWORD: lambda: secrets.token_hex(24),
        HACIENDA_CREDENTIALS: lambda: "\n".join(
            f"{user}:{secrets.token_hex(24)}" for user in (simulator_user, supplier_user) if user),
        CERTIFICATE_PIN: lambda: secrets.token_hex(PIN_BYTES),
        METRICS_TOKEN: lambda: secrets.token_hex(32),
        GRAFANA_ADMIN_PASSWORD: lambda: secrets.token_urlsafe(18),
        GRAFANA_SECRET_KEY: lambda: secrets.token_hex(32),
        SIMULATOR_CONTROL_TOKEN: lambda: secrets.token_hex(32),
        REDIS_PASSWORD: lambda: secrets.token_hex(32),
    }
    if name not in makers:
        raise ValueError(f"unknown secret {name!r} (known: {', '.join(makers)})")
    return makers[name]()


# what the plain host generates (scripts/stack up)
SECRETS = (ADMIN_PASSWORD, DB_PASSWORD, ODOO_MASTER_PASSWORD, HACIENDA_CREDENTIALS, CERTIFICATE_PIN,
           METRICS_TOKEN, GRAFANA_ADMIN_PASSWORD, GRAFANA_SECRET_KEY, SIMULATOR_CONTROL_TOKEN)
# what the NixOS module may have generated (secrets.generate)
KINDS = (*SECRETS, REDIS_PASSWORD)


class SecretFileError(ValueError):
    """A secret file named by an option or a variable is missing, unreadable or empty."""


def read_file(path: Path, label: str) -> str:
    """The value a secret file holds (one line, stripped); `label` names it in the error
    (e.g. "CERTIFICATE_PIN_FILE=/run/secrets/pin")."""
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SecretFileError(f"{label}: cannot read it ({exc.strerror})") from None
    if not value:
        raise SecretFileError(f"{label} is empty")
    return value


def write_private(path: Path, data: bytes, *, mode: int = 0o600, runtime_owned: bool = True) -> None:
    """Write a file readable by its owner only, atomically (no window with wider modes);
    owned by the plain-host stack's runtime account unless `runtime_owned` is false."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    if runtime_owned:
        chown(tmp)
    os.replace(tmp, path)


def demo_supplier_user(settings: dict) -> str | None:
    """The demo supplier's simulator account, when the stack talks to the simulator."""
    hacienda = settings.get("hacienda") or {}
    if hacienda.get("environment") != "simulator":
        return None
    return hacienda["demo_supplier"]["simulator_user"]


def ensure_secrets(layout: Layout, settings: dict) -> list[str]:
    """Create the missing secret files; return the names created (or given a new line)."""
    layout.secrets.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.secrets, 0o700)
    chown(layout.secrets)
    created = []
    supplier = demo_supplier_user(settings)
    for name in SECRETS:
        path = layout.secret(name)
        if path.is_file() and path.stat().st_size > 0:
            # Keep the value, repair the mode/owner if someone widened them.
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
            chown(path)
            if name == HACIENDA_CREDENTIALS and add_user(path, supplier):
                created.append(name)
            continue
        write_private(path, (generate(name, settings["simulator"]["user"], supplier) + "\n").encode())
        created.append(name)
    if CERTIFICATE_PIN not in created and strengthen_test_certificate_pin(layout):
        created.append(CERTIFICATE_PIN)
    return created


def add_user(path: Path, user: str | None) -> bool:
    """Give `user` a line of its own in the credentials file `path` unless it has one (stacks
    made before the demo supplier); True when added."""
    if not user:
        return False
    lines = path.read_text(encoding="utf-8").splitlines()
    if any(line.strip().partition(":")[0] == user for line in lines):
        return False
    write_private(path, ("\n".join([*lines, f"{user}:{secrets.token_hex(24)}"]) + "\n").encode())
    return True


def strengthen_test_certificate_pin(layout: Layout) -> bool:
    """A short PIN (from before PINs were long) of the stack's own test certificate is
    replaced by a new one, and the certificate re-encrypted with it (same key and
    certificate: the seed then loads it into Odoo again). A certificate of another issuer
    (a real one from ATV, with its 4-digit PIN) is left as it is. True when replaced."""
    pin_file, certificate = layout.secret(CERTIFICATE_PIN), layout.certificate
    old_pin = pin_file.read_text(encoding="utf-8").strip()
    if len(old_pin) >= MIN_PIN_LENGTH:
        return False
    new_pin = generate(CERTIFICATE_PIN, "")
    if certificate.is_file() and certificate.stat().st_size > 0:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12
        from cryptography.x509.oid import NameOID

        try:
            bundle = pkcs12.load_pkcs12(certificate.read_bytes(), old_pin.encode("utf-8"))
        except ValueError:
            # not opened by this PIN: someone else's pair, not ours to change
            return False
        issuer = bundle.cert.certificate.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
        if not issuer or not issuer[0].value.endswith(TEST_CA_SUFFIX):
            return False
        data = pkcs12.serialize_key_and_certificates(
            name=bundle.cert.friendly_name, key=bundle.key, cert=bundle.cert.certificate,
            cas=[extra.certificate for extra in bundle.additional_certs],
            encryption_algorithm=serialization.BestAvailableEncryption(new_pin.encode("utf-8")),
        )
        write_private(certificate, data)
    write_private(pin_file, (new_pin + "\n").encode())
    return True


def read_secret(layout: Layout, name: str) -> str:
    path = layout.secret(name)
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        from einvoice_stack.progress import StackError

        raise StackError(f"secret {path} is missing: run scripts/stack up") from None


def main(argv: list[str] | None = None) -> int:
    """Create FILE holding a new secret of KIND unless it exists (the NixOS module's
    `secrets.generate`): root-owned as the caller, mode 0400, its directory 0700."""
    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("--kind", required=True, choices=KINDS)
    parser.add_argument("--file", required=True, type=Path)
    parser.add_argument("--simulator-user", default="", help="the simulator's user (hacienda-credentials)")
    parser.add_argument("--supplier-user", default="",
                        help="the demo supplier's simulator account: a second line of hacienda-credentials")
    args = parser.parse_args(argv)
    if args.kind == HACIENDA_CREDENTIALS and not args.simulator_user:
        parser.error("--simulator-user is required for hacienda-credentials")
    if args.file.is_file() and args.file.stat().st_size > 0:
        return 0
    args.file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = generate(args.kind, args.simulator_user, args.supplier_user or None)
    write_private(args.file, (value + "\n").encode(), mode=0o400, runtime_owned=False)
    print(f"secrets_store: created {args.file}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
