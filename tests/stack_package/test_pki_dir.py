"""Costa Rica's national PKI certificates for the plain host (einvoice_stack.pki_dir): found
like the XSDs, copied into STACK_HOME/pki, and checked against hacienda_cr's pins -- a changed
certificate stops `up`, a missing intermediate is said."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from einvoice_stack import pki_dir
from einvoice_stack.layout import RUNTIME_USER, Layout
from einvoice_stack.progress import StackError

from hacienda_cr.signing.testcert import TestCA

SHARED_PKI = Path(os.environ.get("HACIENDA_SHARED_DIR") or Path(__file__).resolve().parents[3] / "shared" / "hacienda") \
    / "pki"
ROOT = "raiz-nacional-v2.pem"


@pytest.fixture
def layout():
    """A stack home the runtime account can use (hacienda-cr runs as that account)."""
    base = Path(tempfile.mkdtemp(prefix="stack-package-pki-"))
    if os.geteuid() == 0:
        import pwd

        account = pwd.getpwnam(RUNTIME_USER)
        os.chown(base, account.pw_uid, account.pw_gid)
    try:
        yield Layout(home=base / "home", repo=base / "repo", venv=Path(sys.executable).parent.parent,
                     odoo_src=base / "odoo", settings_file=base / "settings.toml")
    finally:
        shutil.rmtree(base)


def test_the_shared_certificates_are_copied_and_checked(layout, monkeypatch):
    monkeypatch.delenv("HACIENDA_PKI_DIR", raising=False)
    monkeypatch.setenv("HACIENDA_SHARED_DIR", str(SHARED_PKI.parent))
    note = pki_dir.ensure(layout)
    assert note == f"copied {SHARED_PKI} (HACIENDA_SHARED_DIR)"
    assert sorted(p.name for p in layout.pki.iterdir()) == sorted(p.name for p in SHARED_PKI.iterdir())
    assert pki_dir.ensure(layout) == f"same as {SHARED_PKI} (HACIENDA_SHARED_DIR)"


def test_missing_intermediates_are_said(layout, monkeypatch, tmp_path):
    only_root = tmp_path / "only-root"
    only_root.mkdir()
    shutil.copy(SHARED_PKI / ROOT, only_root / ROOT)
    monkeypatch.setenv("HACIENDA_PKI_DIR", str(only_root))
    note = pki_dir.ensure(layout)
    assert note.startswith(f"copied {only_root} (HACIENDA_PKI_DIR); missing (chains through them fail; place them in ")
    assert "sinpe-persona-juridica-v2-2023.pem" in note and "hacienda-raiz-dgt.pem" in note and ROOT not in note


def test_a_certificate_that_is_not_the_pinned_one_stops_up(layout, monkeypatch, tmp_path):
    forged = tmp_path / "forged"
    shutil.copytree(SHARED_PKI, forged)
    (forged / ROOT).write_bytes(TestCA.generate().certificate_pem())
    monkeypatch.setenv("HACIENDA_PKI_DIR", str(forged))
    with pytest.raises(StackError, match=f"not the official certificates .*: {ROOT}"):
        pki_dir.ensure(layout)


def test_without_a_root_certificate_nothing_is_trusted(layout, monkeypatch, tmp_path):
    intermediates = tmp_path / "intermediates"
    intermediates.mkdir()
    shutil.copy(SHARED_PKI / "politica-persona-juridica-v2.pem", intermediates)
    monkeypatch.setenv("HACIENDA_PKI_DIR", str(intermediates))
    with pytest.raises(StackError, match="none of the national PKI's root certificates"):
        pki_dir.ensure(layout)
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("HACIENDA_PKI_DIR", str(empty))
    with pytest.raises(StackError, match=f"HACIENDA_PKI_DIR={empty} holds no certificate file"):
        pki_dir.ensure(layout)
