"""The CLI contract for documents: build, validate, clave, schemas (exit codes, messages, JSON)."""

import functools
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def cli(*args, stdin=None):
    proc = subprocess.run(
        [sys.executable, "-m", "hacienda_cr.cli", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_build_then_validate(tmp_path, xsd_dir):
    out = tmp_path / "f.xml"
    proc = cli("build", EXAMPLES / "factura.json", "-o", out, "--xsd-dir", xsd_dir)
    assert proc.returncode == 0, proc.stderr
    assert "clave 506" in proc.stderr
    assert out.read_bytes().startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<FacturaElectronica')
    assert cli("validate", out, "--xsd-dir", xsd_dir, "--unsigned").returncode == 0
    strict = cli("validate", out, "--xsd-dir", xsd_dir, "--json")
    assert strict.returncode == 2
    assert json.loads(strict.stdout)["issues"][0]["code"] == "xsd"


def test_build_can_sign_in_the_same_call(tmp_path, xsd_dir, monkeypatch):
    from hacienda_cr.signing import make_test_certificate, verify_xml

    p12 = tmp_path / "cert.p12"
    p12.write_bytes(make_test_certificate("02", "3101123456", pin="1234"))
    monkeypatch.setenv("BUILD_TEST_PIN", "1234")
    out = tmp_path / "signed.xml"
    args = ("build", EXAMPLES / "factura.json", "-o", out, "--xsd-dir", xsd_dir, "--p12", p12)
    proc = cli(*args, "--pin-env", "BUILD_TEST_PIN")
    assert proc.returncode == 0, proc.stderr
    assert "built and signed" in proc.stderr
    assert verify_xml(out.read_bytes()).valid
    assert cli(*args).returncode == 2  # --p12 without --pin-env: no PIN to open it


def test_build_with_each_schema_set(tmp_path, xsd_dir):
    for schema_set in ("v4.4", "v4.4-2026"):
        proc = cli("build", EXAMPLES / "nota-credito.json", "--schema-set", schema_set, "--xsd-dir", xsd_dir)
        assert proc.returncode == 0 and f"({schema_set})" in proc.stderr


def test_bad_input_exits_2_with_paths(tmp_path):
    doc = json.loads((EXAMPLES / "factura.json").read_text())
    doc["FacturaElectronica"]["Receptor"]["Identificacion"]["Numero"] = "12"
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(doc))
    proc = cli("build", src, "--no-xsd")
    assert proc.returncode == 2
    assert "error: FacturaElectronica/Receptor/Identificacion/Numero" in proc.stderr
    src.write_text("{not json")
    proc = cli("build", src, "--no-xsd")
    assert proc.returncode == 2 and "not valid JSON" in proc.stderr
    assert cli("build", tmp_path / "missing.json").returncode == 2


def test_missing_schemas_are_a_clear_configuration_error(tmp_path, monkeypatch):
    proc = subprocess.run(
        [sys.executable, "-m", "hacienda_cr.cli", "build", str(EXAMPLES / "factura.json")],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)},
    )
    assert proc.returncode == 2
    assert "no XSD schemas found" in proc.stderr and "--no-xsd" in proc.stderr


def test_validate_reports_broken_xml(tmp_path, xsd_dir):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<FacturaElectronica><Clave>")
    proc = cli("validate", bad, "--xsd-dir", xsd_dir)
    assert proc.returncode == 2 and "not well-formed" in proc.stderr


def test_clave_new_and_parse():
    proc = cli(
        "clave",
        "new",
        "--id",
        "3101123456",
        "--doc-type",
        "04",
        "--number",
        "9",
        "--branch",
        "2",
        "--terminal",
        "3",
        "--date",
        "2026-11-27",
        "--security-code",
        "87654321",
    )
    data = json.loads(proc.stdout)
    assert data["clave"] == "50627112600310112345600200003040000000009187654321"
    assert data["consecutivo"] == "00200003040000000009"
    parsed = json.loads(cli("clave", "parse", data["clave"]).stdout)
    assert parsed["doc_type"] == "04" and parsed["terminal"] == 3 and parsed["issued"] == "2026-11-27"
    bad = cli("clave", "parse", "123")
    assert bad.returncode == 2 and "not a clave" in bad.stderr


def test_schemas_fetch_keeps_only_official_bytes(tmp_path, shared_dir):
    site = tmp_path / "site"
    for schema_set in ("v4.4", "v4.4-2026"):
        (site / schema_set).mkdir(parents=True)
        for xsd in (shared_dir / "xsd" / schema_set).glob("*.xsd"):
            (site / schema_set / xsd.name).write_bytes(xsd.read_bytes())
    (site / "xmldsig-core-schema.xsd").write_bytes((shared_dir / "xmldsig-core-schema.xsd").read_bytes())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        dest = tmp_path / "xsd"
        proc = cli("schemas", "fetch", "--dest", dest, "--mirror", url)
        assert proc.returncode == 0, proc.stderr
        assert len(json.loads(proc.stdout)) == 19
        check = cli("schemas", "check", "--xsd-dir", dest)
        assert check.returncode == 0 and check.stdout.count('"ok"') == 19
        # the fetched directory works for building
        assert cli("build", EXAMPLES / "tiquete.json", "--xsd-dir", dest).returncode == 0
        # a tampered file on the server is refused and not kept
        target = site / "v4.4" / "TiqueteElectronico_V4.4.xsd"
        target.write_bytes(target.read_bytes().replace(b"maxLength", b"maxlength", 1))
        (dest / "v4.4" / "TiqueteElectronico_V4.4.xsd").unlink()
        proc = cli("schemas", "fetch", "--dest", dest, "--mirror", url, "--set", "v4.4")
        assert proc.returncode == 2 and "is not the official" in proc.stderr
        assert not (dest / "v4.4" / "TiqueteElectronico_V4.4.xsd").exists()
        assert cli("schemas", "check", "--xsd-dir", dest).returncode == 1
    finally:
        server.shutdown()
