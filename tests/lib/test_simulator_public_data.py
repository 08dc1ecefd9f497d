"""The simulator's public data endpoints over raw HTTP (the shapes docs/public-api.md
records), its data set (checked, merged, kept across restarts), its faults, and the
``hacienda-cr lookup`` command against it."""

from __future__ import annotations

import json
import socket

import pytest
import requests
from api_fixtures import start_simulator, stop_cleanly
from public_data_fixtures import CABYS_SOFTWARE, DATA, EXONERATION_VALID, TAXPAYER

from hacienda_cr.cli import main

# Rows as the BCCR workbook writes them (catalogs/cabys.csv of the shared material has ~20 500):
# fractions, a few percentages, "Exento", "na"; and a seeded code that the catalogue also has.
CATALOGUE = """codigo,descripcion,impuesto
0111100000100,"Trigo duro, para siembra (semillas)",0.01
0111200000100,"Trigo duro, excepto para siembra",13%
2132100000100,Jugo de tomate concentrado,0.13
2132100000200,Jugo de tomate natural,0.13
2391102020000,"Café tostado, descafeinado",0.01
6311100000100,Servicios de hospedaje en hoteles,Exento
9999900000000,Código de prueba sin tarifa,na
8314100000100,Desarrollo de software (según el catálogo),0.13
"""


@pytest.fixture(scope="module")
def sim(tmp_path_factory, xsd_dir):
    tmp = tmp_path_factory.mktemp("sim-public-http")
    seed = tmp / "public-data.json"
    seed.write_text(json.dumps(DATA), encoding="utf-8")
    catalogue = tmp / "cabys.csv"
    catalogue.write_text(CATALOGUE, encoding="utf-8")
    process = start_simulator(tmp, xsd_dir, "--public-data", str(seed), "--cabys-file", str(catalogue))
    yield process
    stop_cleanly(process)


@pytest.fixture(autouse=True)
def no_faults(sim):
    sim.request("PUT", "/_simulator/faults", {"faults": {}, "replace": True, "clear_next": True})


def get(sim, path, **params):
    return requests.get(sim.url + path, params=params, timeout=10)


def test_taxpayer_shape(sim):
    answer = get(sim, "/fe/ae", identificacion=TAXPAYER)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"nombre", "tipoIdentificacion", "regimen", "situacion", "actividades"}
    assert body["situacion"] == {"moroso": "NO", "omiso": "NO", "estado": "Inscrito", "administracionTributaria": "San José"}
    assert body["actividades"][1]["ciiu3"][0]["codigo"] == "521101"
    assert get(sim, "/fe/ae", identificacion="3101999999").status_code == 404
    for bad in ("0109870654", "12-34", ""):
        bad_answer = get(sim, "/fe/ae", identificacion=bad)
        assert (bad_answer.status_code, bad_answer.json()["code"]) == (400, 400)


def test_rates_shapes(sim):
    dollar = get(sim, "/indicadores/tc/dolar").json()
    assert dollar == {"venta": {"fecha": "2026-03-10T00:00:00-06:00", "valor": 507.18},
                      "compra": {"fecha": "2026-03-10T00:00:00-06:00", "valor": 500.02}}
    assert get(sim, "/indicadores/tc/euro").json() == {"fecha": "2026-03-10T00:00:00-06:00", "dolares": 1.0842,
                                                        "colones": 549.9}
    assert get(sim, "/indicadores/tc").json()["dolar"] == dollar
    history = get(sim, "/indicadores/tc/dolar/historico", d="2026-03-01", h="2026-03-31").json()
    # The 11th is after the simulator's "today": not published yet.
    assert history == [{"fecha": "2026-03-06 00:00:00", "compra": 498.12, "venta": 505.31},
                       {"fecha": "2026-03-09 00:00:00", "compra": 499.8, "venta": 506.4},
                       {"fecha": "2026-03-10 00:00:00", "compra": 500.02, "venta": 507.18}]
    assert get(sim, "/indicadores/tc/dolar/historico").status_code == 400


def test_cabys_shapes_and_the_whole_catalogue(sim):
    found = get(sim, "/fe/cabys", q="jugo de tomate", top=1).json()
    assert (found["total"], found["cantidad"]) == (2, 1)  # every match counted, the first "top" given
    assert found["cabys"][0]["codigo"] == "2132100000100"
    assert found["cabys"][0]["uri"] == f"{sim.url}/fe/cabys?codigo=2132100000100"
    assert found["cabys"][0]["impuesto"] == 13
    assert get(sim, "/fe/cabys", codigo="2132100000100").json()[0]["descripcion"] == "Jugo de tomate concentrado"
    assert get(sim, "/fe/cabys", codigo="9999999999999").json() == []
    assert get(sim, "/fe/cabys", q="ab").status_code == 400
    wheat = get(sim, "/fe/cabys", q="trigo duro").json()["cabys"]
    assert [w["impuesto"] for w in wheat] == [1, 13]  # the workbook's 0.01 and "13%"
    assert get(sim, "/fe/cabys", q="hospedaje hoteles").json()["cabys"][0]["impuesto"] == 0  # Exento
    assert get(sim, "/fe/cabys", codigo="9999900000000").json()[0]["impuesto"] == 0  # na
    # A seeded code wins over the catalogue's.
    seeded = get(sim, "/fe/cabys", codigo=CABYS_SOFTWARE).json()[0]
    assert seeded["descripcion"] == "Servicios de diseño y desarrollo de aplicaciones informáticas"


def test_exoneration_shape(sim):
    body = get(sim, "/fe/ex", autorizacion=EXONERATION_VALID.lower()).json()
    assert body["poseeCabys"] is True and body["cabys"] == [CABYS_SOFTWARE]
    assert body["tipoDocumento"] == {"codigo": "04", "descripcion": "Exenciones Dirección General de Hacienda"}
    assert get(sim, "/fe/ex", autorizacion="AL-00000001-26").status_code == 404
    assert get(sim, "/fe/ex", autorizacion="AL-1").status_code == 400
    assert requests.post(sim.url + "/fe/ex", timeout=10).status_code == 405


@pytest.mark.parametrize("body, message", [
    ({"taxpayers": [{"identificacion": "31016543", "nombre": "X"}]}, "taxpayers[0].identificacion"),
    ({"rates": [{"fecha": "2026-13-01", "dolar": {"compra": 1, "venta": 2}}]}, "rates[0].fecha"),
    ({"rates": [{"fecha": "2026-03-01", "dolar": {"compra": 0, "venta": 2}}]}, "rates[0].dolar.compra"),
    ({"exoneraciones": [{"numeroDocumento": "X-1"}]}, "exoneraciones[0].numeroDocumento"),
    ({"cabys": [{"codigo": "1", "descripcion": "x"}]}, "cabys[0].codigo"),
    ({"taxpayer": []}, "unknown key(s) taxpayer"),
])
def test_a_bad_data_set_is_refused_whole(sim, body, message):
    before = sim.get("/_simulator/public-data")["summary"]
    answer = requests.put(sim.url + "/_simulator/public-data", json=body, timeout=10)
    assert answer.status_code == 400
    assert message in answer.json()["error"]
    assert sim.get("/_simulator/public-data")["summary"] == before


def test_the_data_set_is_merged_kept_and_today_can_follow_the_clock(tmp_path, xsd_dir):
    sim = start_simulator(tmp_path, xsd_dir)
    try:
        sim.request("PUT", "/_simulator/public-data", {"rates": DATA["rates"], "today": "2026-03-09"})
        summary = sim.request("PUT", "/_simulator/public-data", {"taxpayers": DATA["taxpayers"][:1]})
        assert (summary["rates"], summary["taxpayers"], summary["today"]) == (4, 1, "2026-03-09")
        assert get(sim, "/indicadores/tc/dolar").json()["venta"]["valor"] == 506.4
    finally:
        stop_cleanly(sim)
    sim = start_simulator(tmp_path, xsd_dir)  # the same database
    try:
        assert get(sim, "/fe/ae", identificacion=TAXPAYER).status_code == 200
        summary = sim.request("PUT", "/_simulator/public-data", {"today": None})
        assert summary["today_fixed"] is False
        # Costa Rica's real date is after every seeded day: the latest rate is the 11th's.
        assert get(sim, "/indicadores/tc/dolar").json()["venta"]["fecha"].startswith("2026-03-11")
        summary = sim.request("PUT", "/_simulator/public-data", {"replace": True})
        assert (summary["taxpayers"], summary["rates"]) == (0, 0)
        assert get(sim, "/indicadores/tc").status_code == 404
    finally:
        stop_cleanly(sim)


def test_faults_on_public_endpoints(sim):
    sim.faults(next=[{"kind": "malformed", "endpoint": "rates"}, {"kind": "server_error", "endpoint": "taxpayer"}])
    page = get(sim, "/indicadores/tc/dolar")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert get(sim, "/fe/ae", identificacion=TAXPAYER).status_code == 503
    assert get(sim, "/fe/ae", identificacion=TAXPAYER).status_code == 200
    refused = requests.put(sim.url + "/_simulator/faults", json={"next": [{"kind": "malformed", "endpoint": "submit"}]},
                           timeout=10)
    assert refused.status_code == 400 and "only applies to taxpayer" in refused.json()["error"]
    # A fault queued for "any" reception endpoint is not taken by a public lookup.
    sim.faults(next=[{"kind": "server_error", "endpoint": "any"}])
    assert get(sim, "/fe/ex", autorizacion=EXONERATION_VALID).status_code == 200
    assert sim.get("/_simulator/faults")["next"][0]["endpoint"] == "any"


# -- hacienda-cr lookup ----------------------------------------------------------------------


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_lookups(sim, capsys):
    code, out, _ = run_cli(capsys, "lookup", "--url", sim.url, "taxpayer", "3-101-654321")
    assert code == 0 and json.loads(out)["name"] == "Comercial La Sabana S.A."
    code, out, _ = run_cli(capsys, "lookup", "--url", sim.url, "rate")
    assert code == 0 and json.loads(out)["USD"] == {"currency": "USD", "date": "2026-03-10", "colones": "507.18",
                                                     "buying": "500.02", "dollars": None}
    code, out, _ = run_cli(capsys, "lookup", "--url", sim.url, "cabys", "jugo", "de", "tomate", "--top", "1")
    assert code == 0 and json.loads(out)["items"][0]["code"] == "2132100000100"
    code, out, _ = run_cli(capsys, "lookup", "--url", sim.url, "exoneration", EXONERATION_VALID,
                           "--on", "2027-01-01", "--cabys", CABYS_SOFTWARE)
    data = json.loads(out)
    assert code == 0
    assert data["valid_on"] == {"date": "2027-01-01", "valid": False}
    assert data["covers"] == {"cabys": CABYS_SOFTWARE, "covered": True}
    assert data["institution_code"] == "01"


def test_cli_exit_codes(sim, capsys):
    code, _, err = run_cli(capsys, "lookup", "--url", sim.url, "taxpayer", "3101999999")
    assert code == 1 and "not found" in err
    code, _, err = run_cli(capsys, "lookup", "--url", sim.url, "exoneration", "nada")
    assert code == 2 and "error: autorizacion" in err
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = run_cli(capsys, "lookup", "--url", f"http://127.0.0.1:{port}", "rate", "USD")
    assert code == 3 and "unavailable (down)" in err
    sim.faults(next=[{"kind": "malformed", "endpoint": "cabys"}])
    code, _, err = run_cli(capsys, "lookup", "--url", sim.url, "cabys", "--code", CABYS_SOFTWARE)
    assert code == 3 and "unavailable (malformed)" in err
