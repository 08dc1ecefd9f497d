"""The national PKI certificates supplier signatures must chain to: pinned, located, fetched."""

from __future__ import annotations

import shutil
import threading
from datetime import datetime, timedelta, timezone
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler

import pytest
import signing_fixtures as fx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from hacienda_cr import pki
from hacienda_cr.errors import ConfigurationError
from hacienda_cr.signing import SigningKey, sign_xml, verify_xml
from hacienda_cr.signing.testcert import TestCA, issue_test_certificate


def shared_pki():
    return fx.shared_dir() / "pki"


def test_the_shared_copies_are_the_pinned_certificates():
    assert {entry["status"] for entry in pki.check_dir(shared_pki())} == {"ok"}
    loaded = pki.load_national_pki(shared_pki())
    subjects = {c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value for c in loaded.anchors}
    assert subjects == {"CA RAIZ NACIONAL - COSTA RICA v2", "CA RAIZ MINISTERIO DE HACIENDA"}
    assert len(loaded.intermediates) == 8


def test_a_changed_certificate_is_refused(tmp_path):
    shutil.copytree(shared_pki(), tmp_path / "pki")
    fake = fx.self_signed(fx.rsa_key(), common_name="CA RAIZ NACIONAL - COSTA RICA v2")
    (tmp_path / "pki" / "raiz-nacional-v2.pem").write_bytes(fx.pem(fake))
    with pytest.raises(ConfigurationError, match=r"raiz-nacional-v2\.pem is not the official certificate"):
        pki.load_national_pki(tmp_path / "pki")
    assert [e["status"] for e in pki.check_dir(tmp_path / "pki") if e["file"] == "raiz-nacional-v2.pem"] == ["mismatch"]


def test_no_directory_is_a_configuration_error(tmp_path, monkeypatch):
    monkeypatch.delenv(pki.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(ConfigurationError, match="hacienda-cr pki fetch"):
        pki.load_national_pki()
    with pytest.raises(ConfigurationError, match="holds none of the national PKI's root certificates"):
        pki.load_national_pki(tmp_path)
    monkeypatch.setenv(pki.ENV_VAR, str(shared_pki()))
    assert pki.load_national_pki().directory == shared_pki()


def test_a_test_certificate_does_not_chain_to_the_national_pki():
    national = pki.load_national_pki(shared_pki())
    signed = sign_xml(fx.tinke_documents()["factura-electronica"], fx.signing_key())
    result = verify_xml(signed, trusted_certs=list(national.anchors), intermediate_certs=list(national.intermediates))
    assert not result.valid
    assert any("is not one of the trusted certificates" in e for e in result.errors), result.errors


def test_intermediates_complete_the_chain_of_a_signer_that_embeds_only_its_certificate():
    root = TestCA.generate()
    key = fx.rsa_key()
    now = datetime.now(timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA SINPE INTERMEDIA (TEST)")])
    intermediate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(root.certificate.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=800))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(root.private_key, hashes.SHA256())
    )
    leaf_key, leaf, _ = issue_test_certificate("02", "3101123456", ca=(intermediate, key))
    signed = sign_xml(fx.tinke_documents()["factura-electronica"], SigningKey.from_objects(leaf_key, leaf))
    alone = verify_xml(signed, trusted_certs=[root.certificate])
    assert not alone.valid
    chained = verify_xml(signed, trusted_certs=[root.certificate], intermediate_certs=[intermediate])
    assert chained.valid, chained.errors
    assert chained.signatures[0].trusted is True


def test_fetch_keeps_only_pinned_certificates(tmp_path, monkeypatch):
    served = tmp_path / "served"
    served.mkdir()
    root = x509.load_pem_x509_certificate((shared_pki() / "raiz-nacional-v2.pem").read_bytes())
    (served / "root.crt").write_bytes(root.public_bytes(serialization.Encoding.DER))  # DER, as published
    (served / "politica.crt").write_bytes(fx.pem(fx.self_signed(fx.rsa_key())))  # not the pinned one
    server = HTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    real = pki.sources()
    fake = {"anchors": {"raiz-nacional-v2.pem": {**real["anchors"]["raiz-nacional-v2.pem"], "url": f"{base}/root.crt"}},
            "intermediates": {"politica-persona-juridica-v2.pem": {
                **real["intermediates"]["politica-persona-juridica-v2.pem"], "url": f"{base}/politica.crt"},
                "sinpe-persona-juridica-v2-2023.pem": real["intermediates"]["sinpe-persona-juridica-v2-2023.pem"]}}
    monkeypatch.setattr(pki, "sources", lambda: fake)
    try:
        with pytest.raises(ConfigurationError, match=r"politica\.crt: SHA-256 .* is not the pinned"):
            pki.fetch(tmp_path / "dest")
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == ["raiz-nacional-v2.pem"]
    assert pki.fingerprint(x509.load_pem_x509_certificate((tmp_path / "dest" / "raiz-nacional-v2.pem").read_bytes())) \
        == real["anchors"]["raiz-nacional-v2.pem"]["sha256"]
