"""The answers of Hacienda's public data services as typed values, read strictly.

Each ``read_*`` function takes the decoded JSON of one answer and returns a frozen
dataclass, or raises :class:`MalformedAnswer` naming the field (``actividades[2].estado``)
that does not have the shape docs/public-api.md records. Unknown extra fields are
ignored: Hacienda adds fields (``ciiu3`` appeared with TRIBU-CR) without notice.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from hacienda_cr.cabys import CODE
from hacienda_cr.codes import code_list
from hacienda_cr.costa_rica_time import to_costa_rica
from hacienda_cr.public_data.errors import MalformedAnswer


@dataclass(frozen=True)
class Activity:
    """An economic activity of a taxpayer: ``code`` as Hacienda writes it (the CAECR
    ``0000.0`` since TRIBU-CR, six digits before), ``former_codes`` its former codes."""

    code: str
    description: str
    active: bool  # estado A (activa) / I (inactiva)
    primary: bool  # tipo P (primaria) / S (secundaria)
    former_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxpayer:
    identification: str
    name: str
    id_type: str  # 01 física, 02 jurídica, 03 DIMEX, 04 NITE
    regime_code: int | None  # 0 no aplica, 1 tradicional/general, 2 simplificado
    regime: str
    state: str  # situacion.estado: "Inscrito", "Inscrito de Oficio", "No inscrito"…
    moroso: bool  # in arrears with Hacienda
    omiso: bool  # a return not filed
    tax_office: str  # situacion.administracionTributaria
    activities: tuple[Activity, ...]

    @property
    def active_activities(self) -> tuple[Activity, ...]:
        """Active ones, the primary first (Hacienda's order otherwise)."""
        active = [a for a in self.activities if a.active]
        return tuple(sorted(active, key=lambda a: not a.primary))

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ExchangeRate:
    """A BCCR reference rate as Hacienda republishes it, for ``date`` (Costa Rica's day).

    ``colones`` is what a document's TipoCambio carries: for USD the selling rate (annex
    p. 50, Ley 9635), for EUR the colones per euro."""

    currency: str  # USD | EUR
    date: date
    colones: Decimal
    buying: Decimal | None = None  # USD: the buying rate
    dollars: Decimal | None = None  # EUR: dollars per euro

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, (Decimal, date)) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class CabysItem:
    code: str
    description: str
    tax_rate: Decimal | None  # the VAT percentage the catalogue gives the code (13, 4, 1, 0…)
    categories: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {**asdict(self), "tax_rate": None if self.tax_rate is None else str(self.tax_rate)}


@dataclass(frozen=True)
class CabysResults:
    total: int  # matches at Hacienda; ``items`` holds the first ``top`` of them
    items: tuple[CabysItem, ...]

    def as_dict(self) -> dict:
        return {"total": self.total, "items": [i.as_dict() for i in self.items]}


@dataclass(frozen=True)
class Exoneration:
    """An exoneration authorisation (EXONET) as Hacienda publishes it."""

    number: str  # numeroDocumento, e.g. AL-00460853-20
    identification: str  # the beneficiary
    issued: datetime  # Costa Rica local time
    expires: datetime | None
    percentage: Decimal  # porcentajeExoneracion: VAT points exonerated (13 = all of the general rate)
    document_type: str  # tipoDocumento.codigo (annex note 10.1)
    document_type_name: str
    institution: str  # nombreInstitucion, free text
    cabys: tuple[str, ...] | None  # the codes it covers; None: not limited to codes (poseeCabys false)
    cfia_project: int | None = None

    def valid_on(self, day: date) -> bool:
        """Issued on or before ``day`` and not past its expiry day (that day included)."""
        if self.issued.date() > day:
            return False
        return self.expires is None or day <= self.expires.date()

    def covers(self, cabys_code: str) -> bool:
        return self.cabys is None or cabys_code in self.cabys

    def institution_code(self) -> tuple[str, str | None]:
        """(NombreInstitucion code of annex note 23, NombreInstitucionOtros or None).

        Hacienda gives the institution as a name; an exact name of the list is its code,
        the Dirección General de Hacienda / de Tributación belong to the Ministerio de
        Hacienda (01), anything else is 99 with the name as the "other" text."""
        names = {_folded(name): code for code, name in code_list("exemption_institutions").items()}
        folded = _folded(self.institution)
        if folded in names and names[folded] != "99":
            return names[folded], None
        if "hacienda" in folded or "tributacion" in folded:
            return "01", None
        return "99", self.institution[:160]

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(issued=self.issued.isoformat(), expires=self.expires.isoformat() if self.expires else None,
                    percentage=str(self.percentage), cabys=list(self.cabys) if self.cabys is not None else None)
        return data


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


class _Reader:
    """Typed access to one answer with the path of each field in the errors."""

    def __init__(self, service: str):
        self.service = service

    def fail(self, path: str, problem: str) -> MalformedAnswer:
        where = f"{path}: " if path else ""
        return MalformedAnswer(f"the {self.service} answer is malformed: {where}{problem}", service=self.service,
                               status=200, path=path)

    def obj(self, value, path: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected an object, got {_kind(value)}")
        return value

    def items(self, value, path: str) -> list:
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {_kind(value)}")
        return value

    def field(self, data: dict, key: str, path: str, required: bool = True):
        if key not in data or data[key] is None:
            if required:
                raise self.fail(_join(path, key), "missing")
            return None
        return data[key]

    def text(self, data: dict, key: str, path: str, required: bool = True) -> str | None:
        value = self.field(data, key, path, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.fail(_join(path, key), f"expected text, got {_kind(value)}")
        return str(value).strip()

    def number(self, data: dict, key: str, path: str, required: bool = True) -> Decimal | None:
        value = self.field(data, key, path, required)
        if value is None:
            return None
        if isinstance(value, bool):
            raise self.fail(_join(path, key), "expected a number, got a boolean")
        try:
            number = Decimal(str(value).strip()) if isinstance(value, (int, float, str)) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise self.fail(_join(path, key), f"expected a number, got {value!r}")
        return number

    def flag(self, data: dict, key: str, path: str, yes=("SI", "SÍ", "S", "TRUE"), no=("NO", "N", "FALSE")) -> bool:
        value = self.field(data, key, path)
        if isinstance(value, bool):
            return value
        text = str(value).strip().upper()
        if text in yes:
            return True
        if text in no:
            return False
        raise self.fail(_join(path, key), f"expected SI or NO, got {value!r}")

    def moment(self, data: dict, key: str, path: str, required: bool = True) -> datetime | None:
        """A date-time as Hacienda writes them (with or without offset, or ``YYYY-MM-DD hh:mm:ss``),
        as Costa Rica local time without tzinfo."""
        text = self.text(data, key, path, required)
        if text is None:
            return None
        try:
            value = datetime.fromisoformat(text.replace(" ", "T", 1).removesuffix("Z"))
        except ValueError:
            raise self.fail(_join(path, key), f"expected a date-time, got {text!r}") from None
        return to_costa_rica(value).replace(tzinfo=None) if value.tzinfo else value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


def read_taxpayer(data, identification: str) -> Taxpayer:
    """The answer of ``/fe/ae?identificacion=``."""
    r = _Reader("taxpayer")
    data = r.obj(data, "")
    name = r.text(data, "nombre", "")
    if not name:
        raise r.fail("nombre", "empty")
    id_type = r.text(data, "tipoIdentificacion", "")
    if id_type.isdigit() and len(id_type) == 1:
        id_type = "0" + id_type
    regime = r.obj(data.get("regimen") or {}, "regimen")
    regime_code = r.number(regime, "codigo", "regimen", required=False)
    situation = r.obj(r.field(data, "situacion", ""), "situacion")
    activities = []
    for i, item in enumerate(r.items(data.get("actividades") or [], "actividades")):
        path = f"actividades[{i}]"
        item = r.obj(item, path)
        state = r.text(item, "estado", path).upper()
        kind = (r.text(item, "tipo", path, required=False) or "S").upper()
        if state not in ("A", "I"):
            raise r.fail(f"{path}.estado", f"expected A or I, got {state!r}")
        former = []
        for j, old in enumerate(r.items(item.get("ciiu3") or [], f"{path}.ciiu3")):
            old = r.obj(old, f"{path}.ciiu3[{j}]")
            code = r.text(old, "codigo", f"{path}.ciiu3[{j}]", required=False)
            if code:
                former.append(code)
        activities.append(Activity(
            code=r.text(item, "codigo", path),
            description=r.text(item, "descripcion", path, required=False) or "",
            active=state == "A",
            primary=kind == "P",
            former_codes=tuple(former),
        ))
    return Taxpayer(
        identification=identification,
        name=" ".join(name.split()),
        id_type=id_type,
        regime_code=int(regime_code) if regime_code is not None else None,
        regime=r.text(regime, "descripcion", "regimen", required=False) or "",
        state=r.text(situation, "estado", "situacion", required=False) or "",
        moroso=r.flag(situation, "moroso", "situacion"),
        omiso=r.flag(situation, "omiso", "situacion"),
        tax_office=r.text(situation, "administracionTributaria", "situacion", required=False) or "",
        activities=tuple(activities),
    )


def _positive(r: _Reader, data: dict, key: str, path: str) -> Decimal:
    value = r.number(data, key, path)
    if value <= 0:
        raise r.fail(_join(path, key), f"a rate must be positive, got {value}")
    return value


def read_dollar(data, path: str = "") -> ExchangeRate:
    """``/indicadores/tc/dolar`` (or the ``dolar`` part of ``/indicadores/tc``)."""
    r = _Reader("exchange-rate")
    data = r.obj(data, path)
    sell = r.obj(r.field(data, "venta", path), _join(path, "venta"))
    buy = r.obj(r.field(data, "compra", path), _join(path, "compra"))
    day = r.moment(sell, "fecha", _join(path, "venta")).date()
    return ExchangeRate("USD", day, _positive(r, sell, "valor", _join(path, "venta")),
                        buying=_positive(r, buy, "valor", _join(path, "compra")))


def read_euro(data, path: str = "") -> ExchangeRate:
    """``/indicadores/tc/euro`` (or the ``euro`` part of ``/indicadores/tc``)."""
    r = _Reader("exchange-rate")
    data = r.obj(data, path)
    day = r.moment(data, "fecha", path).date()
    return ExchangeRate("EUR", day, _positive(r, data, "colones", path), dollars=_positive(r, data, "dolares", path))


def read_rates(data) -> dict[str, ExchangeRate]:
    """``/indicadores/tc``: {"USD": …, "EUR": …}."""
    r = _Reader("exchange-rate")
    data = r.obj(data, "")
    return {"USD": read_dollar(r.field(data, "dolar", ""), "dolar"), "EUR": read_euro(r.field(data, "euro", ""), "euro")}


def read_dollar_history(data) -> list[ExchangeRate]:
    """``/indicadores/tc/dolar/historico?d=&h=``: one rate per day, oldest first."""
    r = _Reader("exchange-rate")
    rates = []
    for i, item in enumerate(r.items(data, "")):
        path = f"[{i}]"
        item = r.obj(item, path)
        rates.append(ExchangeRate("USD", r.moment(item, "fecha", path).date(), _positive(r, item, "venta", path),
                                  buying=_positive(r, item, "compra", path)))
    return sorted(rates, key=lambda rate: rate.date)





def _cabys_item(r: _Reader, item, path: str) -> CabysItem:
    item = r.obj(item, path)
    code = r.text(item, "codigo", path)
    if not CODE.fullmatch(code):
        raise r.fail(_join(path, "codigo"), f"a CABYS code has 13 digits, got {code!r}")
    categories = tuple(str(c) for c in r.items(item.get("categorias") or [], _join(path, "categorias")))
    return CabysItem(code, r.text(item, "descripcion", path) or code, r.number(item, "impuesto", path, required=False),
                     categories)


def read_cabys_search(data) -> CabysResults:
    """``/fe/cabys?q=``: ``{"total", "cantidad", "cabys": [...]}``."""
    r = _Reader("cabys")
    data = r.obj(data, "")
    items = tuple(_cabys_item(r, item, f"cabys[{i}]") for i, item in enumerate(r.items(data.get("cabys") or [], "cabys")))
    total = r.number(data, "total", "", required=False)
    return CabysResults(int(total) if total is not None else len(items), items)


def read_cabys_code(data) -> list[CabysItem]:
    """``/fe/cabys?codigo=``: a list, empty when the code does not exist."""
    r = _Reader("cabys")
    return [_cabys_item(r, item, f"[{i}]") for i, item in enumerate(r.items(data, ""))]


def read_exoneration(data) -> Exoneration:
    """``/fe/ex?autorizacion=``."""
    r = _Reader("exoneration")
    data = r.obj(data, "")
    doc_type = r.obj(r.field(data, "tipoDocumento", ""), "tipoDocumento")
    type_code = r.text(doc_type, "codigo", "tipoDocumento")
    if type_code.isdigit() and len(type_code) == 1:
        type_code = "0" + type_code
    percentage = r.number(data, "porcentajeExoneracion", "")
    if not 0 <= percentage <= 100:
        raise r.fail("porcentajeExoneracion", f"expected a percentage, got {percentage}")
    if r.flag(data, "poseeCabys", "") if "poseeCabys" in data else False:
        codes = []
        for i, code in enumerate(r.items(r.field(data, "cabys", ""), "cabys")):
            code = str(code).strip()
            if not CODE.fullmatch(code):
                raise r.fail(f"cabys[{i}]", f"a CABYS code has 13 digits, got {code!r}")
            codes.append(code)
        cabys = tuple(codes)
    else:
        cabys = None
    cfia = r.number(data, "codigoProyectoCFIA", "", required=False)
    return Exoneration(
        number=r.text(data, "numeroDocumento", "").upper(),
        identification=r.text(data, "identificacion", ""),
        issued=r.moment(data, "fechaEmision", ""),
        expires=r.moment(data, "fechaVencimiento", "", required=False),
        percentage=percentage,
        document_type=type_code,
        document_type_name=r.text(doc_type, "descripcion", "tipoDocumento", required=False) or "",
        institution=r.text(data, "nombreInstitucion", "", required=False) or "",
        cabys=cabys,
        cfia_project=int(cfia) if cfia else None,
    )
