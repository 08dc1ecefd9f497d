"""The data Hacienda's public services answer in the staging stack, seeded into the
simulator (PUT /_simulator/public-data), and the exchange rates stored in Odoo from it.

The simulator gets: the seed's customers as registered taxpayers (one of them in arrears),
a company not yet in Odoo (to create a partner from its identification alone), the BCCR
rates of the last days, three exoneration authorisations — in force, expired, and in force
for other CABYS codes — and the CABYS codes of the seed's products plus a few more to find by
words. Dates are relative to the day of the seed, in Costa Rica (UTC-06:00). Standard
library only, like the rest of the seed.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta, timezone

from einvoice_stack.odoo_rpc import OdooRPC
from einvoice_stack.seed_data import CUSTOMERS, PRODUCTS
from einvoice_stack.seed_env import SeedEnv, SeedError

COSTA_RICA = timezone(timedelta(hours=-6))
RATE_DAYS = 8  # today and the seven days before
RATES_CRON = "l10n_cr_einvoice.ir_cron_l10n_cr_exchange_rates"

# (identification, name, type, [(activity code, description, primary)], moroso, omiso)
NEW_TAXPAYER = ("3101888777", "DISTRIBUIDORA LOS ALMENDROS SOCIEDAD ANONIMA", "02",
                [("4690.0", "VENTA AL POR MAYOR NO ESPECIALIZADA", True),
                 ("4711.1", "VENTA AL POR MENOR EN SUPERMERCADOS", False)], False, False)
ACTIVITIES = {
    "STG-C01": [("6920.0", "ACTIVIDADES DE CONTABILIDAD", True)],
    "STG-C02": [("7410.0", "ACTIVIDADES ESPECIALIZADAS DE DISEÑO", True)],
    "STG-C03": [("4711.1", "VENTA AL POR MENOR EN SUPERMERCADOS", True), ("6201.0", "PROGRAMACION INFORMATICA", False)],
    "STG-C04": [("6201.0", "PROGRAMACION INFORMATICA", True)],
    "STG-C05": [("8549.0", "OTROS TIPOS DE ENSEÑANZA", True)],
    "STG-C06": [("4923.1", "TRANSPORTE DE CARGA POR CARRETERA", True)],
}
IN_ARREARS = "STG-C06"  # moroso and omiso: the partner form warns about it
EXONERATION_VALID = "AL-00012345-26"
EXONERATION_EXPIRED = "AL-00000777-24"
EXONERATION_OTHER_CABYS = "AL-00044444-26"
EXTRA_CABYS = [
    ("2132100000100", "Jugo de tomate concentrado", 13),
    ("2132100000200", "Jugo de tomate natural", 13),
    ("8314100000300", "Servicios de diseño y desarrollo de aplicaciones para dispositivos móviles", 13),
]


def costa_rica_today() -> date:
    return datetime.now(COSTA_RICA).date()


def dollar_rate(day: date) -> tuple[float, float]:
    """(buying, selling) colones per dollar: plausible, different every day, the same on every run."""
    selling = round(505 + (day.toordinal() % 23) * 0.41, 2)
    return round(selling - 7.15, 2), selling


def data_set(today: date) -> dict:
    customers = {ref: (number, name, id_type) for ref, name, id_type, number, country, _mail in CUSTOMERS
                 if id_type in ("01", "02", "03", "04")}
    taxpayers = []
    for ref, (number, name, id_type) in customers.items():
        arrears = "SI" if ref == IN_ARREARS else "NO"
        taxpayers.append(_taxpayer(number, name, id_type, ACTIVITIES.get(ref, []), arrears, arrears))
    number, name, id_type, activities, moroso, omiso = NEW_TAXPAYER
    taxpayers.append(_taxpayer(number, name, id_type, activities, "SI" if moroso else "NO", "SI" if omiso else "NO"))
    rates = []
    for back in range(RATE_DAYS):
        day = today - timedelta(days=back)
        buying, selling = dollar_rate(day)
        rates.append({"fecha": day.isoformat(), "dolar": {"compra": buying, "venta": selling},
                      "euro": {"colones": round(selling * 1.0834, 2), "dolares": 1.0834}})
    services = [code for default_code, _n, kind, code, _d, _p in PRODUCTS if kind == "service"]
    la_sabana, pura_vida = customers["STG-C03"][0], customers["STG-C04"][0]
    exonerations = [
        _exoneration(EXONERATION_VALID, la_sabana, today - timedelta(days=60), today + timedelta(days=300), services[:2]),
        _exoneration(EXONERATION_EXPIRED, la_sabana, today - timedelta(days=700), today - timedelta(days=335),
                     services[:2]),
        _exoneration(EXONERATION_OTHER_CABYS, pura_vida, today - timedelta(days=30), today + timedelta(days=335),
                     ["2391102020000"]),
    ]
    cabys = [{"codigo": code, "descripcion": description, "impuesto": 13}
             for _c, _n, _k, code, description, _p in PRODUCTS]
    cabys += [{"codigo": code, "descripcion": description, "impuesto": rate} for code, description, rate in EXTRA_CABYS]
    # "today": null, the simulator follows Costa Rica's real date.
    return {"today": None, "taxpayers": taxpayers, "rates": rates, "exoneraciones": exonerations, "cabys": cabys}


def _taxpayer(number, name, id_type, activities, moroso, omiso) -> dict:
    return {
        "identificacion": number, "nombre": name, "tipoIdentificacion": id_type,
        "regimen": {"codigo": 1, "descripcion": "Régimen General"},
        "situacion": {"moroso": moroso, "omiso": omiso, "estado": "Inscrito", "administracionTributaria": "San José"},
        "actividades": [{"estado": "A", "tipo": "P" if primary else "S", "codigo": code, "descripcion": text}
                        for code, text, primary in activities],
    }


def _exoneration(number, holder, issued: date, expires: date, cabys: list[str]) -> dict:
    return {
        "numeroDocumento": number, "identificacion": holder,
        "fechaEmision": f"{issued.isoformat()}T00:00:00", "fechaVencimiento": f"{expires.isoformat()}T00:00:00",
        "porcentajeExoneracion": 13,
        "tipoDocumento": {"codigo": "04", "descripcion": "Exenciones Dirección General de Hacienda"},
        "nombreInstitucion": "Dirección General de Hacienda", "cabys": cabys,
    }


def seed_simulator(env: SeedEnv, today: date | None = None) -> int:
    """Give the simulator its public data (merged: what tests added stays). Returns how many
    items were sent; 0 outside the simulator environment (Hacienda's real data is used)."""
    if env.environment != "simulator":
        return 0
    data = data_set(today or costa_rica_today())
    request = urllib.request.Request(env.simulator_url + "/_simulator/public-data", data=json.dumps(data).encode(),
                                     method="PUT", headers={"Content-Type": "application/json",
                                                            **env.simulator_control_headers()})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            json.loads(response.read())
    except urllib.error.HTTPError as exc:
        hint = " (SIMULATOR_CONTROL_TOKEN_FILE: the simulator's control token)" if exc.code == 401 else ""
        raise SeedError(f"the simulator refused the public data: HTTP {exc.code}{hint} {exc.read()[:300]!r}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise SeedError(f"cannot reach the simulator at {env.simulator_url}: {getattr(exc, 'reason', exc)}") from None
    return sum(len(data[kind]) for kind in ("taxpayers", "rates", "exoneraciones", "cabys"))


def store_rates(rpc: OdooRPC) -> int:
    """Dollar and euro in use, and the daily rate cron run once now. Returns the rates stored."""
    currencies = rpc.search_read("res.currency", [("name", "in", ["USD", "EUR"]), ("active", "in", [True, False])],
                                 ["id", "active"])
    inactive = [c["id"] for c in currencies if not c["active"]]
    if inactive:
        rpc.call("res.currency", "write", inactive, {"active": True})
    rpc.call("ir.cron", "method_direct_trigger", [rpc.ref(RATES_CRON)])
    return len(rpc.search_read("res.currency.rate", [("l10n_cr_source", "=", "hacienda")], ["id"]))
