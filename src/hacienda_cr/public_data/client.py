"""The client of Hacienda's public data services (``api.hacienda.go.cr``, no credentials).

Every lookup is one GET with short timeouts, answered from the cache while it is fresh.
After a failure the same service is not asked again for ``outage_memory`` seconds (ten
minutes after a 429: Hacienda blocks the address that long), so a batch of postings
during an outage costs one timeout, not one per document. See docs/public-api.md.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import requests

from hacienda_cr import costa_rica_time
from hacienda_cr.api.retry import RateLimiter, parse_retry_after
from hacienda_cr.api.transport import ThreadSessions, _short
from hacienda_cr.cabys import CODE as CABYS_CODE
from hacienda_cr.errors import ConfigurationError, InputError, Issue
from hacienda_cr.identification import identification_problem
from hacienda_cr.public_data import answers
from hacienda_cr.public_data.answers import CabysItem, CabysResults, ExchangeRate, Exoneration, Taxpayer
from hacienda_cr.public_data.cache import MISSING, ExpiringCache
from hacienda_cr.public_data.errors import (
    MalformedAnswer,
    NotFound,
    ServiceDown,
    ServiceSlow,
    ServiceUnavailable,
)
from hacienda_cr.redaction import redact_url

PUBLIC_API_URL = "https://api.hacienda.go.cr"
# Hacienda publishes one public API; a sandbox company reads the same real data.
ENVIRONMENT_URLS = {
    "production": PUBLIC_API_URL,
    "sandbox": PUBLIC_API_URL,
    "simulator": "http://127.0.0.1:8090",
}

TAXPAYER = "/fe/ae"
EXONERATION = "/fe/ex"
CABYS = "/fe/cabys"
RATES = "/indicadores/tc"
DOLLAR = "/indicadores/tc/dolar"
EURO = "/indicadores/tc/euro"
DOLLAR_HISTORY = "/indicadores/tc/dolar/historico"

CURRENCIES = ("USD", "EUR")
AUTHORISATION_PATTERN = re.compile(r"[A-Z]{2}-\d{8}-\d{2}")


@dataclass(frozen=True)
class LookupSettings:
    """Timeouts, how long answers are kept, and how politely to ask."""

    connect_timeout: float = 3.0
    read_timeout: float = 8.0
    outage_memory: float = 60.0  # after a failure, answer "unavailable" without asking for this long
    blocked_for: float = 600.0  # after a 429: Hacienda blocks the address for ten minutes
    rate_limit: float = 10.0  # requests per second (Hacienda: 10/s sustained, 20/s bursts)
    rate_burst: int = 20
    ttl: dict = field(default_factory=lambda: {
        "taxpayer": 86400.0,  # a registration changes rarely
        "exchange-rate": 3600.0,  # today's rate: an hour, never past Costa Rica's midnight
        "exchange-rate-history": 7 * 86400.0,  # a past day's rate does not change
        "cabys": 86400.0,
        "exoneration": 6 * 3600.0,
        "not-found": 600.0,
    })

    def check(self) -> None:
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ConfigurationError("the public data timeouts must be positive")
        if self.outage_memory < 0 or self.blocked_for < 0 or self.rate_limit < 0 or self.rate_burst < 1:
            raise ConfigurationError("outage_memory, blocked_for and rate_limit must not be negative; rate_burst >= 1")


def public_api_url(environment: str, override: str | None = None, simulator_url: str | None = None) -> str:
    """The public API base for an environment: ``override`` if given, the simulator's own
    address for ``simulator``, Hacienda's otherwise. Outside the simulator it must be https:
    the answers decide a document's exchange rate and exoneration, so they must not be
    alterable on the way."""
    if environment not in ENVIRONMENT_URLS:
        raise ConfigurationError(f"unknown environment {environment!r}; use {', '.join(ENVIRONMENT_URLS)}")
    if override:
        url = _checked_url(override)
        if environment != "simulator" and urlsplit(url).scheme != "https":
            raise ConfigurationError(f"the public API URL {redact_url(url)!r} is not https: plain http is "
                                     f"accepted only for the local simulator, not in {environment}")
        return url
    if environment == "simulator" and simulator_url:
        return _checked_url(simulator_url)
    return ENVIRONMENT_URLS[environment]


def _checked_url(url: str) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"the public API URL {redact_url(url)!r} is not an http(s) URL")
    if "@" in parts.netloc:
        raise ConfigurationError(f"the public API URL {redact_url(url)!r} holds a user or password: the "
                                 "public API takes none")
    return url


def normalise_identification(identification: str, id_type: str | None = None) -> str:
    """The number as ``/fe/ae`` wants it: digits only, a cédula física without a leading
    zero, a cédula jurídica or NITE without the two check digits some people append."""
    number = re.sub(r"[\s.-]", "", str(identification or ""))
    if not number.isdigit():
        raise InputError(Issue("identificacion", f"{identification!r} is not an identification number (digits only)"))
    if id_type in ("05", "06"):
        raise InputError(Issue("identificacion", "Hacienda's registry holds Costa Rican identifications only "
                                                 "(types 01 to 04), not type " + id_type))
    if len(number) == 10 and number.startswith("0"):
        number = number[1:]  # 0X-XXXX-XXXX, the old way of writing a cédula física
    if id_type in ("02", "04") and len(number) == 12:
        number = number[:10]
    if id_type:
        problem = identification_problem(id_type, number)
        if problem:
            raise InputError(Issue("identificacion", problem))
    elif not 9 <= len(number) <= 12:
        raise InputError(Issue("identificacion", f"{identification!r} has {len(number)} digits; "
                                                 "a Costa Rican identification has 9 to 12"))
    return number


def normalise_authorisation(number: str) -> str:
    text = str(number or "").strip().upper()
    if not AUTHORISATION_PATTERN.fullmatch(text):
        raise InputError(Issue("autorizacion", f"{number!r} is not an exoneration authorisation number of Hacienda's "
                                               "EXONET (two letters, 8 digits, 2 digits: AL-00012345-26)"))
    return text


class PublicDataClient:
    """Taxpayers, exchange rates, CABYS and exonerations from ``base_url`` (Hacienda's
    public API or the simulator). Thread-safe; keep one per process and base URL."""

    def __init__(self, base_url: str = PUBLIC_API_URL, settings: LookupSettings | None = None, *,
                 cache: ExpiringCache | None = None, user_agent: str = "hacienda-cr", clock=time.monotonic):
        self.base_url = _checked_url(base_url)
        self.settings = settings or LookupSettings()
        self.settings.check()
        self.clock = clock
        self.cache = cache or ExpiringCache(clock=clock)
        self.user_agent = user_agent
        self._limiter = RateLimiter(self.settings.rate_limit, self.settings.rate_burst)
        self._outages: dict[str, tuple[float, ServiceUnavailable]] = {}
        self._lock = threading.Lock()
        self._sessions = ThreadSessions({"User-Agent": user_agent, "Accept": "application/json"}, pool_size=2)

    def with_settings(self, **changes) -> PublicDataClient:
        """A client with other settings sharing this one's cache (e.g. longer timeouts for a cron)."""
        return PublicDataClient(self.base_url, replace(self.settings, **changes), cache=self.cache,
                                user_agent=self.user_agent, clock=self.clock)

    # -- the services -----------------------------------------------------------------

    def taxpayer(self, identification: str, id_type: str | None = None) -> Taxpayer:
        """Name, type, regime, situation (moroso/omiso) and activities of a registered taxpayer."""
        number = normalise_identification(identification, id_type)
        return self._get("taxpayer", TAXPAYER, {"identificacion": number}, lambda d: answers.read_taxpayer(d, number),
                         f"Hacienda has no taxpayer registered with identification {number}")

    def exchange_rates(self, fresh: bool = False) -> dict[str, ExchangeRate]:
        """The latest USD and EUR reference rates (each carries the day it is for). ``fresh``:
        ask even if an answer is cached (a daily job that must see a newly published rate)."""
        return self._get("exchange-rate", RATES, {}, answers.read_rates, "Hacienda published no exchange rates",
                         ttl=self._today_ttl(), fresh=fresh)

    def exchange_rate(self, currency: str = "USD", day: date | None = None) -> ExchangeRate:
        """The rate of ``day`` (Costa Rica's date; default: the latest published).

        For a past day only the dollar has a history at Hacienda. NotFound when Hacienda has
        no rate for that day (``latest`` then holds the most recent one, for today)."""
        currency = (currency or "").upper()
        if currency not in CURRENCIES:
            raise InputError(Issue("currency", f"Hacienda publishes rates for {' and '.join(CURRENCIES)}, not {currency!r}"))
        today = costa_rica_time.now().date()
        if day is not None and day > today:
            raise InputError(Issue("day", f"{day} is after today ({today} in Costa Rica): no rate is published yet"))
        if day is None or day == today:
            path, read = (DOLLAR, answers.read_dollar) if currency == "USD" else (EURO, answers.read_euro)
            rate = self._get("exchange-rate", path, {}, read, f"Hacienda published no {currency} rate",
                             ttl=self._today_ttl())
            if day is not None and rate.date != day:
                raise NotFound(f"Hacienda has not published the {currency} rate of {day} yet (the latest is of "
                               f"{rate.date})", service="exchange-rate", latest=rate)
            return rate
        if currency != "USD":
            raise NotFound(f"Hacienda publishes the euro rate of the current day only, not of {day}",
                           service="exchange-rate")
        history = self._get("exchange-rate", DOLLAR_HISTORY, {"d": day.isoformat(), "h": day.isoformat()},
                            answers.read_dollar_history, f"Hacienda has no USD rate for {day}",
                            ttl=self.settings.ttl["exchange-rate-history"])
        for rate in history:
            if rate.date == day:
                return rate
        raise NotFound(f"Hacienda has no USD rate for {day}", service="exchange-rate")

    def cabys_search(self, words: str, top: int = 20) -> CabysResults:
        """CABYS codes whose description matches ``words`` (the first ``top`` of ``total``)."""
        text = " ".join(str(words or "").split())
        if len(text) < 3:
            raise InputError(Issue("q", "give at least 3 characters to search the CABYS catalogue"))
        if not 1 <= int(top) <= 500:
            raise InputError(Issue("top", f"top must be between 1 and 500, not {top}"))
        return self._get("cabys", CABYS, {"q": text, "top": int(top)}, answers.read_cabys_search,
                         f"no CABYS code matches {text!r}")

    def cabys(self, code: str) -> CabysItem:
        code = str(code or "").strip()
        if not CABYS_CODE.fullmatch(code):
            raise InputError(Issue("codigo", f"{code!r} is not a CABYS code (13 digits)"))
        missing = f"the CABYS catalogue has no code {code}"

        def read(data):
            items = [item for item in answers.read_cabys_code(data) if item.code == code]
            if not items:  # Hacienda answers [] for an unknown code
                raise NotFound(missing, service="cabys")
            return items[0]

        return self._get("cabys", CABYS, {"codigo": code}, read, missing)

    def exoneration(self, number: str) -> Exoneration:
        """An exoneration authorisation by its number (AL-00460853-20)."""
        number = normalise_authorisation(number)
        return self._get("exoneration", EXONERATION, {"autorizacion": number}, answers.read_exoneration,
                         f"Hacienda has no exoneration authorisation {number}")

    # -- plumbing ---------------------------------------------------------------------

    def forget(self) -> None:
        """Drop every cached answer and remembered outage."""
        self.cache.clear()
        with self._lock:
            self._outages.clear()

    def close(self) -> None:
        self._sessions.close()

    def __enter__(self) -> PublicDataClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _today_ttl(self) -> float:
        """An hour, but never past Costa Rica's midnight: tomorrow has another rate."""
        now = costa_rica_time.now()
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)
        return max(1.0, min(self.settings.ttl["exchange-rate"], (midnight - now).total_seconds()))

    def _get(self, service: str, path: str, params: dict, read, missing: str, ttl: float | None = None,
             fresh: bool = False):
        key = (path, tuple(sorted(params.items())))
        cached = MISSING if fresh else self.cache.get(key)
        if cached is not MISSING:
            if isinstance(cached, NotFound):
                raise NotFound(cached.message, service=service, status=cached.status)
            return cached
        self._check_outage(path)
        try:
            data = self._fetch(service, path, params, missing)
            value = read(data)
        except NotFound as exc:
            self.cache.put(key, exc, self.settings.ttl["not-found"])
            raise
        except ServiceUnavailable as exc:
            self._remember_outage(path, exc)
            raise
        self.cache.put(key, value, self.settings.ttl[service] if ttl is None else ttl)
        return value

    def _check_outage(self, path: str) -> None:
        with self._lock:
            remembered = self._outages.get(path)
        if remembered is None:
            return
        until, error = remembered
        left = until - self.clock()
        if left <= 0:
            with self._lock:
                self._outages.pop(path, None)
            return
        raise type(error)(f"{error.message} (not asked again for {left:.0f} s)", service=error.service,
                          status=error.status)

    def _remember_outage(self, path: str, error: ServiceUnavailable) -> None:
        memory = self.settings.outage_memory
        if error.status == 429:
            memory = max(memory, self.settings.blocked_for, getattr(error, "retry_after", None) or 0)
        if memory > 0:
            with self._lock:
                self._outages[path] = (self.clock() + memory, error)

    def _fetch(self, service: str, path: str, params: dict, missing: str):
        """The decoded JSON of a 200 answer; every other outcome as an error of the taxonomy."""
        url = self.base_url + path
        host = urlsplit(url).netloc
        what = f"Hacienda's {service} service ({host}{path})"
        self._limiter.acquire()
        s = self.settings
        try:
            response = self._sessions.get().get(url, params=params, timeout=(s.connect_timeout, s.read_timeout))
        except requests.exceptions.ConnectTimeout:
            raise ServiceDown(f"{what} could not be reached within {s.connect_timeout:g} s", service=service) from None
        except requests.exceptions.ReadTimeout:
            raise ServiceSlow(f"{what} did not answer within {s.read_timeout:g} s", service=service) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            raise ServiceDown(f"{what} is not reachable: {_short(exc)}", service=service) from None
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema) as exc:
            raise ConfigurationError(f"{url!r} is not a usable URL ({_short(exc)})") from None
        status = response.status_code
        if status == 200:
            try:
                return response.json()
            except ValueError:
                sample = " ".join(response.text[:80].split())
                raise MalformedAnswer(f"{what} answered 200 with something that is not JSON: {sample!r}",
                                      service=service, status=200) from None
        if status == 404:
            raise NotFound(missing, service=service, status=404)
        if status == 400:
            field_name = next(iter(params), "")
            raise InputError(Issue(field_name, f"{what} refused {params.get(field_name)!r} as invalid (400)"))
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise ServiceDown(f"{what} is refusing requests from this address (429, too many requests)",
                              service=service, status=429, retry_after=retry_after)
        raise ServiceDown(f"{what} answered HTTP {status}", service=service, status=status)


