"""The stack's generated secrets (einvoice_stack.secrets_store), for both deployments: the
plain host's `scripts/stack up` and the NixOS module's `secrets.generate` use these values."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from einvoice_stack import secrets_store
from einvoice_stack.layout import Layout

from hacienda_cr.signing.testcert import make_test_certificate

SETTINGS = {"simulator": {"user": "cpj-3-101-123456@stag.comprobanteselectronicos.go.cr"}}


def _layout(home: Path) -> Layout:
    return Layout(home=home, repo=home, venv=home / "venv", odoo_src=home / "odoo", settings_file=home / "s.toml")


def test_the_certificate_pin_is_long_and_random():
    """As long as the other secrets (48 hex digits), never the 4 digits of ATV's PINs."""
    pins = {secrets_store.generate(secrets_store.CERTIFICATE_PIN, "") for _ in range(20)}
    assert len(pins) == 20
    for pin in pins:
        assert len(pin) >= 48 and int(pin, 16) >= 0


NAMES = ["odoo-admin-password", "odoo-db-password", "odoo-master-password", "hacienda-credentials",
         "certificate-pin", "metrics-token", "grafana-admin-password", "grafana-secret-key",
         "simulator-control-token"]


def test_up_creates_every_secret_private_and_a_long_certificate_pin(tmp_path):
    layout = _layout(tmp_path)
    created = secrets_store.ensure_secrets(layout, SETTINGS)
    assert set(created) == set(NAMES)
    for name in NAMES:
        assert stat.S_IMODE(layout.secret(name).stat().st_mode) == 0o600, name
    assert layout.secret("hacienda-credentials").read_text().startswith(SETTINGS["simulator"]["user"] + ":")
    pin = layout.secret("certificate-pin").read_text().strip()
    assert len(pin) >= 48, f"certificate PIN {pin!r}: a 4-digit PIN is guessed in 10 000 tries"
    assert secrets_store.ensure_secrets(layout, SETTINGS) == []


def _p12(pin: str) -> bytes:
    return make_test_certificate(id_type="02", id_number="3101123456", name="Empresa Demo Staging S.A.", pin=pin)


def test_a_short_pin_of_the_stacks_test_certificate_is_replaced(tmp_path):
    """A stack from before PINs were long: new PIN, same key and certificate re-encrypted."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    layout = _layout(tmp_path)
    secrets_store.ensure_secrets(layout, SETTINGS)
    layout.secret("certificate-pin").write_text("4821\n")
    layout.certificate.write_bytes(_p12("4821"))
    before = pkcs12.load_pkcs12(layout.certificate.read_bytes(), b"4821")
    assert secrets_store.ensure_secrets(layout, SETTINGS) == ["certificate-pin"]
    pin = layout.secret("certificate-pin").read_text().strip()
    assert len(pin) >= 48
    after = pkcs12.load_pkcs12(layout.certificate.read_bytes(), pin.encode())
    assert after.cert.certificate == before.cert.certificate
    with pytest.raises(ValueError):
        pkcs12.load_pkcs12(layout.certificate.read_bytes(), b"4821")


def test_a_certificate_of_another_issuer_keeps_its_pin(tmp_path):
    """A real certificate from ATV comes with a 4-digit PIN: not the stack's to change."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    layout = _layout(tmp_path)
    secrets_store.ensure_secrets(layout, SETTINGS)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA SINPE - PERSONA JURIDICA v2")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    real = pkcs12.serialize_key_and_certificates(b"real", key, cert, None,
                                                 serialization.BestAvailableEncryption(b"1234"))
    layout.secret("certificate-pin").write_text("1234\n")
    layout.certificate.write_bytes(real)
    assert secrets_store.ensure_secrets(layout, SETTINGS) == []
    assert layout.secret("certificate-pin").read_text() == "1234\n"
    assert layout.certificate.read_bytes() == real


def test_the_nixos_command_line_creates_a_missing_secret_once(tmp_path):
    target = tmp_path / "secrets" / "certificate-pin"
    argv = [sys.executable, "-m", "einvoice_stack.secrets_store", "--kind", "certificate-pin", "--file", str(target)]
    subprocess.run(argv, check=True, capture_output=True)
    first = target.read_text()
    assert len(first.strip()) >= 48
    assert stat.S_IMODE(target.stat().st_mode) == 0o400
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert target.stat().st_uid == os.geteuid()
    subprocess.run(argv, check=True, capture_output=True)
    assert target.read_text() == first
    proc = subprocess.run([sys.executable, "-m", "einvoice_stack.secrets_store", "--kind", "hacienda-credentials",
                           "--file", str(tmp_path / "creds")], capture_output=True, text=True)
    assert proc.returncode == 2 and "--simulator-user is required" in proc.stderr


SUPPLIER = "cpj-3-101-987654@stag.comprobanteselectronicos.go.cr"
SIMULATOR_SETTINGS = {**SETTINGS, "hacienda": {"environment": "simulator", "demo_supplier": {"simulator_user": SUPPLIER}}}


def _users(path: Path) -> list[str]:
    return [line.partition(":")[0] for line in path.read_text().splitlines()]


def test_with_the_simulator_the_demo_supplier_has_its_own_account(tmp_path):
    """The simulator's users file: the company's account first (what the seed gives Odoo), then
    the demo supplier's, each with its own password; a stack from before the demo supplier gets
    its line once, the company's line kept."""
    layout = _layout(tmp_path)
    secrets_store.ensure_secrets(layout, SIMULATOR_SETTINGS)
    credentials = layout.secret("hacienda-credentials")
    assert _users(credentials) == [SETTINGS["simulator"]["user"], SUPPLIER]
    assert len({line.partition(":")[2] for line in credentials.read_text().splitlines()}) == 2

    older = _layout(tmp_path / "older")
    secrets_store.ensure_secrets(older, SETTINGS)
    company_line = older.secret("hacienda-credentials").read_text()
    assert secrets_store.ensure_secrets(older, SIMULATOR_SETTINGS) == ["hacienda-credentials"]
    assert older.secret("hacienda-credentials").read_text().startswith(company_line)
    assert _users(older.secret("hacienda-credentials")) == [SETTINGS["simulator"]["user"], SUPPLIER]
    assert stat.S_IMODE(older.secret("hacienda-credentials").stat().st_mode) == 0o600
    assert secrets_store.ensure_secrets(older, SIMULATOR_SETTINGS) == []


def test_without_the_simulator_no_demo_supplier(tmp_path):
    layout = _layout(tmp_path)
    sandbox = {**SIMULATOR_SETTINGS, "hacienda": {**SIMULATOR_SETTINGS["hacienda"], "environment": "sandbox"}}
    secrets_store.ensure_secrets(layout, sandbox)
    assert _users(layout.secret("hacienda-credentials")) == [SETTINGS["simulator"]["user"]]


def test_the_nixos_command_line_adds_the_demo_supplier(tmp_path):
    target = tmp_path / "creds"
    subprocess.run([sys.executable, "-m", "einvoice_stack.secrets_store", "--kind", "hacienda-credentials",
                    "--file", str(target), "--simulator-user", SETTINGS["simulator"]["user"],
                    "--supplier-user", SUPPLIER], check=True, capture_output=True)
    assert _users(target) == [SETTINGS["simulator"]["user"], SUPPLIER]
