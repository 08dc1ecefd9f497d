"""``hacienda-cr submit`` / ``status`` against the real simulator: JSON out, exit codes, messages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from api_fixtures import PASSWORD, USER, free_port, signed, signing_key, start_simulator, stop_cleanly

from hacienda_cr.signing import sign_xml


@pytest.fixture(scope="module")
def sim(tmp_path_factory, xsd_dir):
    process = start_simulator(tmp_path_factory.mktemp("sim-cli"), xsd_dir)
    yield process
    stop_cleanly(process)


def cli(*args, password=PASSWORD, timeout=120):
    env = {**os.environ, "HCR_TEST_PASSWORD": password} if password is not None else dict(os.environ)
    if password is None:
        env.pop("HCR_TEST_PASSWORD", None)
    proc = subprocess.run(
        [sys.executable, "-m", "hacienda_cr.cli", *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def connection(url, *extra):
    return ["--api", url, "--idp", url, "--user", USER, "--password-env", "HCR_TEST_PASSWORD", *extra]


def test_submit_wait_prints_the_final_status_and_saves_the_answer(sim, tmp_path):
    built, xml = signed("factura", 7001)
    path = tmp_path / "factura.xml"
    path.write_bytes(xml)
    proc = cli("submit", path, *connection(sim.url, "--wait"))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["clave"] == built.clave and out["state"] == "aceptado" and out["verified"] is True
    assert out["submitted"]["result"] == "received"
    answer = tmp_path / f"{built.clave}-respuesta.xml"
    assert out["mensaje_hacienda"] == str(answer) and b"<MensajeHacienda" in answer.read_bytes()

    status = cli("status", built.clave, *connection(sim.url, "--out-dir", tmp_path / "again"))
    assert status.returncode == 0 and json.loads(status.stdout)["state"] == "aceptado"
    assert (tmp_path / "again" / f"{built.clave}-respuesta.xml").read_bytes() == answer.read_bytes()

    again = cli("submit", path, *connection(sim.url))
    assert again.returncode == 0 and json.loads(again.stdout)["result"] == "already_received"


def test_submit_without_wait_and_mensaje_receptor_status(sim, tmp_path):
    built, xml = signed("mensaje-receptor", 7002)
    path = tmp_path / "mr.xml"
    path.write_bytes(xml)
    proc = cli("submit", path, *connection(sim.url))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["state"] == "recibido"
    status = cli("status", f"{built.clave}-{built.consecutivo}", *connection(sim.url, "--wait", "--out-dir", tmp_path))
    out = json.loads(status.stdout)
    assert status.returncode == 0 and out["state"] == "aceptado" and out["resource"] == f"{built.clave}-{built.consecutivo}"


def test_rejected_document_exits_1_with_the_reason(sim, tmp_path):
    built, _ = signed("factura", 7003)
    total = re.search(rb"<TotalComprobante>([^<]+)<", built.xml).group(1)
    path = tmp_path / "bad.xml"
    path.write_bytes(sign_xml(built.xml.replace(b"<TotalComprobante>" + total, b"<TotalComprobante>3.00000", 1), signing_key()))
    proc = cli("submit", path, *connection(sim.url, "--wait"))
    out = json.loads(proc.stdout)
    assert proc.returncode == 1 and out["state"] == "rechazado" and "TotalComprobante" in out["reason"]


def test_unknown_clave_exits_1(sim):
    proc = cli("status", "5" * 50, *connection(sim.url))
    assert proc.returncode == 1 and json.loads(proc.stdout)["state"] == "not_found"


def test_configuration_problems_exit_2_with_a_clear_message(sim, tmp_path):
    _built, xml = signed("factura", 7004)
    path = tmp_path / "f.xml"
    path.write_bytes(xml)
    wrong = cli("submit", path, *connection(sim.url), password="wrong")
    assert wrong.returncode == 2 and "refused the username/password of " + USER in wrong.stderr
    unset = cli("submit", path, *connection(sim.url), password=None)
    assert unset.returncode == 2 and "HCR_TEST_PASSWORD is not set" in unset.stderr
    missing = cli("submit", tmp_path / "nope.xml", *connection(sim.url))
    assert missing.returncode == 2 and "nope.xml" in missing.stderr
    unsigned = tmp_path / "unsigned.xml"
    unsigned.write_bytes(_built.xml)
    proc = cli("submit", unsigned, *connection(sim.url))
    assert proc.returncode == 2 and "not signed" in proc.stderr
    bad_clave = cli("status", "123", *connection(sim.url))
    assert bad_clave.returncode == 2 and "is not a clave" in bad_clave.stderr


def test_unreachable_api_exits_3(tmp_path):
    _built, xml = signed("factura", 7005)
    path = tmp_path / "f.xml"
    path.write_bytes(xml)
    url = f"http://127.0.0.1:{free_port()}"
    proc = cli("submit", path, *connection(url))
    assert proc.returncode == 3 and "try again later" in proc.stderr and "cannot connect" in proc.stderr
