"""The staging stack's test PKI (einvoice_stack.test_pki) and the Odoo options that name it
(stackconf.pki_options): a test CA and the simulator's sealing key for staging with the
simulator, and nothing of it in a sandbox or production configuration."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from einvoice_stack import hacienda_cli, render_odoo, stackconf, test_pki
from einvoice_stack.layout import Layout

from hacienda_cr.signing.trust import issued_by

REPO = Path(__file__).resolve().parents[2]
SETTINGS = REPO / "stack" / "settings.toml"


def _attribute(cert: x509.Certificate, oid) -> str:
    return cert.subject.get_attributes_for_oid(oid)[0].value


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_the_test_pki_is_a_ca_and_the_simulators_seal_issued_by_it(tmp_path):
    directory = tmp_path / "test-pki"
    assert sorted(test_pki.ensure(directory, hacienda_cli.command())) == sorted(test_pki.FILES)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for private in (test_pki.CA_KEY, test_pki.SEAL_P12, test_pki.SEAL_PIN):
        assert stat.S_IMODE((directory / private).stat().st_mode) == 0o600, private
    ca, seal = _cert(directory / test_pki.CA_CERT), _cert(directory / test_pki.SEAL_CERT)
    assert _attribute(ca, NameOID.COMMON_NAME) == "CA SINPE - PERSONA JURIDICA v2 (TEST)"
    assert x509.BasicConstraints(ca=True, path_length=0) == ca.extensions.get_extension_for_class(
        x509.BasicConstraints).value
    assert issued_by(seal, ca)
    assert _attribute(seal, NameOID.SERIAL_NUMBER) == "CPJ-2-100-042005"
    bundle = pkcs12.load_pkcs12((directory / test_pki.SEAL_P12).read_bytes(),
                                (directory / test_pki.SEAL_PIN).read_text().strip().encode())
    assert bundle.cert.certificate == seal
    assert test_pki.ensure(directory, hacienda_cli.command()) == []


def test_a_lost_seal_is_issued_again_by_the_same_ca_and_a_lost_ca_remakes_all(tmp_path):
    directory = tmp_path / "test-pki"
    test_pki.ensure(directory, hacienda_cli.command())
    ca_before, seal_before = _cert(directory / test_pki.CA_CERT), _cert(directory / test_pki.SEAL_CERT)
    (directory / test_pki.SEAL_PIN).unlink()
    made = test_pki.ensure(directory, hacienda_cli.command())
    assert sorted(made) == sorted([test_pki.SEAL_P12, test_pki.SEAL_PIN, test_pki.SEAL_CERT])
    assert _cert(directory / test_pki.CA_CERT) == ca_before
    assert _cert(directory / test_pki.SEAL_CERT) != seal_before and issued_by(_cert(directory / test_pki.SEAL_CERT),
                                                                            ca_before)
    (directory / test_pki.CA_KEY).unlink()
    assert sorted(test_pki.ensure(directory, hacienda_cli.command())) == sorted(test_pki.FILES)
    assert _cert(directory / test_pki.CA_CERT) != ca_before
    assert issued_by(_cert(directory / test_pki.SEAL_CERT), _cert(directory / test_pki.CA_CERT))
    assert sorted(p.name for p in directory.iterdir()) == sorted(test_pki.FILES)


def test_the_nixos_command_line(tmp_path):
    directory = tmp_path / "test-pki"
    argv = [sys.executable, "-m", "einvoice_stack.test_pki", "--dir", str(directory),
            "--hacienda-cr", hacienda_cli.command()[0]] if len(hacienda_cli.command()) == 1 else None
    if argv is None:
        pytest.skip("hacienda-cr is a module here, not a command")
    subprocess.run(argv, check=True, capture_output=True)
    assert sorted(p.name for p in directory.iterdir()) == sorted(test_pki.FILES)
    assert stat.S_IMODE((directory / test_pki.CA_CERT).stat().st_mode) == 0o600  # umask 077: root's, 0700 dir
    proc = subprocess.run([sys.executable, "-m", "einvoice_stack.test_pki", "--dir", str(tmp_path / "x"),
                           "--hacienda-cr", str(tmp_path / "no-such-command")], capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stderr.startswith("test_pki: ") and "Traceback" not in proc.stderr


@pytest.mark.parametrize("environment", ["simulator", "sandbox", "production"])
def test_only_a_simulator_stack_names_the_test_certificates(environment):
    options = stackconf.pki_options(environment)
    paths = {"national_pki": "/n", "test_ca": "/t/ca.pem", "simulator_certificate": "/t/seal.pem"}
    filled = stackconf.fill_paths(options, paths)
    assert filled["l10n_cr_einvoice_pki_dir"] == "/n"
    if environment == "simulator":
        assert filled["l10n_cr_einvoice_simulator_trust_anchors"] == "/t/ca.pem"
        assert filled["l10n_cr_einvoice_hacienda_certificates"] == "/t/seal.pem"
    else:
        assert set(filled) == {"l10n_cr_einvoice_pki_dir"}
        assert "/t/" not in str(filled)


def test_a_placeholder_without_a_path_is_an_error():
    with pytest.raises(stackconf.SettingsError, match="l10n_cr_einvoice_simulator_trust_anchors: no path given"):
        stackconf.fill_paths(stackconf.pki_options("simulator"), {"national_pki": "/n"})
    with pytest.raises(stackconf.SettingsError, match="unknown certificate path"):
        stackconf.fill_paths({}, {"nowhere": "/x"})


def _settings_for(tmp_path: Path, environment: str) -> Path:
    text = SETTINGS.read_text(encoding="utf-8").replace('environment = "simulator"', f'environment = "{environment}"')
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("environment", ["simulator", "production"])
def test_the_plain_hosts_odoo_conf(tmp_path, environment):
    settings_file = _settings_for(tmp_path, environment)
    layout = Layout(home=tmp_path / "home", repo=REPO, venv=REPO / ".venv", odoo_src=tmp_path / "odoo",
                    settings_file=settings_file)
    text = render_odoo.render(stackconf.load(settings_file), layout, admin_passwd="a", db_password="b",
                              schema_dir="/x")
    assert f"\nl10n_cr_einvoice_pki_dir = {layout.pki}\n" in text
    if environment == "simulator":
        assert f"\nl10n_cr_einvoice_simulator_trust_anchors = {layout.test_pki / 'ca.pem'}\n" in text
        assert f"\nl10n_cr_einvoice_hacienda_certificates = {layout.test_pki / 'simulator-seal.pem'}\n" in text
    else:
        assert "simulator_trust_anchors" not in text and "hacienda_certificates" not in text
        assert str(layout.test_pki) not in text
