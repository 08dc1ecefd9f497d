"""The simulator's side of Hacienda's public data services (``api.hacienda.go.cr``).

A data set — taxpayers, daily exchange rates, exoneration authorisations, CABYS codes —
answers ``/fe/ae``, ``/fe/ex``, ``/fe/cabys`` and ``/indicadores/tc…`` in the shapes
docs/public-api.md records. It is seeded with ``PUT /_simulator/public-data`` (or
``--public-data FILE`` at start), kept in the simulator's database so a restart answers
the same, and may be completed by the whole CABYS catalogue (``--cabys-file``).

Data set (JSON; every key optional)::

    {"replace": false,                        # true: start from an empty set
     "today": "2026-03-10",                   # the day the "current rate" endpoints treat as
                                              # today (null: Costa Rica's real date)
     "taxpayers": [{"identificacion": "3101654321", "nombre": "…", "tipoIdentificacion": "02",
                    "regimen": {…}, "situacion": {…}, "actividades": [{…}]}],
     "rates": [{"fecha": "2026-03-10", "dolar": {"compra": 505.1, "venta": 512.3},
                "euro": {"colones": 560.1, "dolares": 1.09}}],
     "exoneraciones": [{"numeroDocumento": "AL-00012345-26", … as /fe/ex answers}],
     "cabys": [{"codigo": "8314100000100", "descripcion": "…", "impuesto": 13, "categorias": []}]}
"""

from __future__ import annotations

import csv
import json
import re
import threading
import unicodedata
from datetime import date, datetime
from pathlib import Path

from hacienda_cr import costa_rica_time
from hacienda_cr.cabys import CODE, catalogue_tax
from hacienda_cr.errors import ConfigurationError

META_KEY = "public_data"
KINDS = ("taxpayers", "rates", "exoneraciones", "cabys")
BAD_REQUEST = {"code": 400, "status": "Bad Request, please review your request and try again"}
NOT_FOUND = {"code": 404, "status": "Not Found"}
AUTHORISATION = re.compile(r"[A-Za-z]{2}-\d{8}-\d{2}")
DEFAULT_TOP = 10


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def _day(value, where: str) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ConfigurationError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _positive(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigurationError(f"{where}: expected a positive number, got {value!r}")
    return value


def _text(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{where}.{key}: expected text")
    return value.strip()


def _taxpayer(item, where: str) -> tuple[str, dict]:
    if not isinstance(item, dict):
        raise ConfigurationError(f"{where}: expected an object")
    number = re.sub(r"\D", "", str(item.get("identificacion", "")))
    if not 9 <= len(number) <= 12 or number.startswith("0"):
        raise ConfigurationError(f"{where}.identificacion: 9 to 12 digits, not starting with 0")
    id_type = str(item.get("tipoIdentificacion") or {9: "01", 10: "02"}.get(len(number), "03"))
    if id_type not in ("01", "02", "03", "04"):
        raise ConfigurationError(f"{where}.tipoIdentificacion: 01 to 04, not {id_type!r}")
    activities = item.get("actividades", [])
    if not isinstance(activities, list):
        raise ConfigurationError(f"{where}.actividades: expected a list")
    for i, activity in enumerate(activities):
        at = f"{where}.actividades[{i}]"
        if not isinstance(activity, dict) or activity.get("estado") not in ("A", "I") or activity.get("tipo") not in ("P", "S"):
            raise ConfigurationError(f"{at}: expected {{estado: A|I, tipo: P|S, codigo, descripcion}}")
        code = activity.get("codigo")
        if isinstance(code, bool) or not isinstance(code, (str, int)) or not str(code).strip():
            raise ConfigurationError(f"{at}.codigo: expected the activity code (text such as 6201.0)")
    answer = {
        "nombre": _text(item, "nombre", where),
        "tipoIdentificacion": id_type,
        "regimen": item.get("regimen") or {"codigo": 1, "descripcion": "Régimen General"},
        "situacion": {"moroso": "NO", "omiso": "NO", "estado": "Inscrito", "administracionTributaria": "San José",
                      **(item.get("situacion") or {})},
        "actividades": activities,
    }
    for flag in ("moroso", "omiso"):
        if answer["situacion"][flag] not in ("SI", "NO"):
            raise ConfigurationError(f"{where}.situacion.{flag}: SI or NO")
    return number, answer


def _rate(item, where: str) -> tuple[str, dict]:
    if not isinstance(item, dict):
        raise ConfigurationError(f"{where}: expected an object")
    day = _day(item.get("fecha"), f"{where}.fecha").isoformat()
    entry: dict = {}
    dollar = item.get("dolar")
    if dollar is not None:
        if not isinstance(dollar, dict):
            raise ConfigurationError(f"{where}.dolar: expected {{compra, venta}}")
        entry["dolar"] = {k: _positive(dollar.get(k), f"{where}.dolar.{k}") for k in ("compra", "venta")}
    euro = item.get("euro")
    if euro is not None:
        if not isinstance(euro, dict):
            raise ConfigurationError(f"{where}.euro: expected {{colones, dolares}}")
        entry["euro"] = {k: _positive(euro.get(k), f"{where}.euro.{k}") for k in ("colones", "dolares")}
    if not entry:
        raise ConfigurationError(f"{where}: give dolar and/or euro")
    return day, entry


def _exoneration(item, where: str) -> tuple[str, dict]:
    if not isinstance(item, dict):
        raise ConfigurationError(f"{where}: expected an object")
    number = _text(item, "numeroDocumento", where).upper()
    if not AUTHORISATION.fullmatch(number):
        raise ConfigurationError(f"{where}.numeroDocumento: expected AL-00000000-00, not {number!r}")
    for key in ("fechaEmision", "fechaVencimiento"):
        _day(item.get(key), f"{where}.{key}")
    percentage = item.get("porcentajeExoneracion")
    if isinstance(percentage, bool) or not isinstance(percentage, (int, float)) or not 0 < percentage <= 100:
        raise ConfigurationError(f"{where}.porcentajeExoneracion: expected a number above 0")
    doc_type = item.get("tipoDocumento")
    if not isinstance(doc_type, dict) or not doc_type.get("codigo"):
        raise ConfigurationError(f"{where}.tipoDocumento: expected {{codigo, descripcion}}")
    cabys = item.get("cabys") or []
    if not isinstance(cabys, list) or any(not CODE.fullmatch(str(c)) for c in cabys):
        raise ConfigurationError(f"{where}.cabys: expected a list of 13-digit CABYS codes")
    answer = {
        "numeroDocumento": number,
        "identificacion": re.sub(r"\D", "", str(item.get("identificacion", ""))) or _text(item, "identificacion", where),
        "codigoProyectoCFIA": item.get("codigoProyectoCFIA", 0),
        "fechaEmision": str(item["fechaEmision"]),
        "fechaVencimiento": str(item["fechaVencimiento"]),
        "porcentajeExoneracion": percentage,
        "tipoDocumento": {"codigo": str(doc_type["codigo"]), "descripcion": str(doc_type.get("descripcion", ""))},
        "nombreInstitucion": _text(item, "nombreInstitucion", where),
        "poseeCabys": bool(cabys),
    }
    if cabys:
        answer["cabys"] = [str(c) for c in cabys]
    return number, answer


def _cabys(item, where: str) -> tuple[str, dict]:
    if not isinstance(item, dict):
        raise ConfigurationError(f"{where}: expected an object")
    code = str(item.get("codigo", ""))
    if not CODE.fullmatch(code):
        raise ConfigurationError(f"{where}.codigo: 13 digits")
    categories = item.get("categorias") or []
    if not isinstance(categories, list):
        raise ConfigurationError(f"{where}.categorias: expected a list of texts")
    impuesto = item.get("impuesto", 13)
    if isinstance(impuesto, bool) or not isinstance(impuesto, (int, float)) or impuesto < 0:
        raise ConfigurationError(f"{where}.impuesto: expected a VAT percentage")
    return code, {"codigo": code, "descripcion": _text(item, "descripcion", where),
                  "categorias": [str(c) for c in categories], "impuesto": impuesto}


READERS = {"taxpayers": _taxpayer, "rates": _rate, "exoneraciones": _exoneration, "cabys": _cabys}


def read_catalogue(path: Path) -> dict[str, dict]:
    """A CABYS catalogue file: CSV with columns codigo, descripcion, impuesto (the BCCR sheet's
    values: 0.13, 13%, Exento…)."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise ConfigurationError(f"CABYS file {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ConfigurationError(f"CABYS file {path}: not UTF-8 CSV ({exc})") from None
    if rows and not {"codigo", "descripcion", "impuesto"} <= set(rows[0]):
        raise ConfigurationError(f"CABYS file {path}: expected the columns codigo, descripcion, impuesto")
    catalogue = {}
    for row in rows:
        code = (row.get("codigo") or "").strip()
        if CODE.fullmatch(code):
            rate, _wording = catalogue_tax(row.get("impuesto"))
            catalogue[code] = {"codigo": code, "descripcion": " ".join((row.get("descripcion") or "").split()),
                               "categorias": [], "impuesto": int(rate) if rate == int(rate) else rate}
    return catalogue


class PublicData:
    """The data set and the answers built from it. Thread-safe."""

    def __init__(self, store, catalogue: dict[str, dict] | None = None):
        self.store = store
        self.catalogue = catalogue or {}
        self._lock = threading.Lock()
        self._data = self._empty()
        raw = store.meta(META_KEY)
        if raw:
            saved = json.loads(raw)
            self._data.update({k: saved.get(k, self._data[k]) for k in self._data})
        self._index()

    @staticmethod
    def _empty() -> dict:
        return {"today": None, **{kind: {} for kind in KINDS}}

    def _index(self) -> None:
        cabys = {**self.catalogue, **self._data["cabys"]}
        self._search = [(code, _folded(" ".join([item["descripcion"], *item["categorias"]])), item)
                        for code, item in sorted(cabys.items())]

    def update(self, body) -> dict:
        """Merge (or with ``replace``, set) a data set; checked whole before anything changes."""
        if not isinstance(body, dict):
            raise ConfigurationError("expected a JSON object with taxpayers, rates, exoneraciones, cabys, today")
        unknown = set(body) - {"replace", "today", *KINDS}
        if unknown:
            raise ConfigurationError(f"unknown key(s) {', '.join(sorted(unknown))}; use replace, today, {', '.join(KINDS)}")
        parsed = {}
        for kind in KINDS:
            items = body.get(kind) or []
            if not isinstance(items, list):
                raise ConfigurationError(f"{kind}: expected a list")
            parsed[kind] = dict(READERS[kind](item, f"{kind}[{i}]") for i, item in enumerate(items))
        today = body.get("today")
        if today is not None:
            today = _day(today, "today").isoformat()
        with self._lock:
            data = self._empty() if body.get("replace") else self._data
            for kind in KINDS:
                data[kind].update(parsed[kind])
            if "today" in body:
                data["today"] = today
            self._data = data
            self.store.set_meta(META_KEY, json.dumps(self._data, ensure_ascii=False))
            self._index()
            return self._summary()

    def summary(self) -> dict:
        with self._lock:
            return self._summary()

    def _summary(self) -> dict:
        return {"today": self._today().isoformat(), "today_fixed": self._data["today"] is not None,
                **{kind: len(self._data[kind]) for kind in KINDS}, "catalogue": len(self.catalogue)}

    def snapshot(self) -> dict:
        with self._lock:
            return {"today": self._data["today"], **{kind: list(self._data[kind].values()) if kind != "rates" else
                    [{"fecha": day, **entry} for day, entry in sorted(self._data["rates"].items())]
                    for kind in KINDS}, "summary": self._summary()}

    def _today(self) -> date:
        fixed = self._data["today"]
        return date.fromisoformat(fixed) if fixed else costa_rica_time.now().date()

    # -- the answers: (HTTP status, JSON body) ------------------------------------------

    def taxpayer(self, params: dict) -> tuple[int, object]:
        number = params.get("identificacion", "")
        if not re.fullmatch(r"[1-9]\d{8,11}", number):
            return 400, BAD_REQUEST
        with self._lock:
            found = self._data["taxpayers"].get(number)
        return (200, found) if found else (404, NOT_FOUND)

    def exoneration(self, params: dict) -> tuple[int, object]:
        number = params.get("autorizacion", "")
        if not AUTHORISATION.fullmatch(number):
            return 400, BAD_REQUEST
        with self._lock:
            found = self._data["exoneraciones"].get(number.upper())
        return (200, found) if found else (404, NOT_FOUND)

    def cabys(self, params: dict, origin: str) -> tuple[int, object]:
        if "codigo" in params:
            code = params["codigo"]
            if not CODE.fullmatch(code):
                return 400, BAD_REQUEST
            with self._lock:
                item = self._data["cabys"].get(code) or self.catalogue.get(code)
            return 200, [item] if item else []
        words = _folded(params.get("q", "")).split()
        if len(" ".join(words)) < 3:
            return 400, BAD_REQUEST
        try:
            top = int(params.get("top", DEFAULT_TOP))
        except ValueError:
            return 400, BAD_REQUEST
        if top < 1:
            return 400, BAD_REQUEST
        with self._lock:
            matches = [item for _code, text, item in self._search if all(w in text for w in words)]
        items = [{**item, "uri": f"{origin}/fe/cabys?codigo={item['codigo']}"} for item in matches[:top]]
        return 200, {"total": len(matches), "cantidad": len(items), "cabys": items}

    def _current(self, currency: str) -> tuple[str, dict] | None:
        today = self._today().isoformat()
        days = [d for d, entry in self._data["rates"].items() if d <= today and currency in entry]
        if not days:
            return None
        day = max(days)
        return day, self._data["rates"][day][currency]

    @staticmethod
    def _stamp(day: str) -> str:
        return f"{day}T00:00:00-06:00"

    def _current_answer(self, currency: str, shape) -> tuple[int, object]:
        """``shape(stamp, rate)`` of the latest rate of ``currency``, or 404 when there is none."""
        with self._lock:
            current = self._current(currency)
        if current is None:
            return 404, NOT_FOUND
        day, rate = current
        return 200, shape(self._stamp(day), rate)

    def dollar(self) -> tuple[int, object]:
        return self._current_answer("dolar", lambda stamp, rate: {
            "venta": {"fecha": stamp, "valor": rate["venta"]}, "compra": {"fecha": stamp, "valor": rate["compra"]}})

    def euro(self) -> tuple[int, object]:
        return self._current_answer("euro", lambda stamp, rate: {
            "fecha": stamp, "dolares": rate["dolares"], "colones": rate["colones"]})

    def rates(self) -> tuple[int, object]:
        (dollar_status, dollar), (euro_status, euro) = self.dollar(), self.euro()
        if dollar_status != 200 or euro_status != 200:
            return 404, NOT_FOUND
        return 200, {"dolar": dollar, "euro": euro}

    def dollar_history(self, params: dict) -> tuple[int, object]:
        try:
            start, end = (datetime.strptime(params[k], "%Y-%m-%d").date().isoformat() for k in ("d", "h"))
        except (KeyError, ValueError):
            return 400, BAD_REQUEST
        with self._lock:
            today = self._today().isoformat()
            rows = [{"fecha": f"{day} 00:00:00", "compra": entry["dolar"]["compra"], "venta": entry["dolar"]["venta"]}
                    for day, entry in sorted(self._data["rates"].items())
                    if start <= day <= end and day <= today and "dolar" in entry]
        return 200, rows
