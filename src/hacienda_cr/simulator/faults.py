"""Fault injection: what can go wrong between a client and Hacienda, on demand.

Each kind has a probability per request and a few parameters:

``latency``         extra delay before answering (``min``..``max`` seconds), any endpoint
``rate_limit``      429 with ``Retry-After: retry_after``, API endpoints
``server_error``    a 5xx (``status``) before anything is recorded, API endpoints
``reset_before``    TCP reset (SO_LINGER 0) before the document is recorded, API endpoints
``reset_after``     TCP reset after the document is recorded (the client cannot know it
                    arrived), POST /recepcion only
``timeout_before``  hold the request ``hold`` seconds, then close without recording, API
``timeout_after``   record the document, then hold ``hold`` seconds and close, POST only
``token_outage``    the token endpoint answers ``status`` (503)
``reject``          the document is judged ``rechazado`` whatever its merits
``malformed``       200 with a page that is not the service's JSON, public data endpoints only

Besides the random draws, ``next`` queues faults for the very next matching requests
(``{"kind": "reset_after", "endpoint": "submit"}``), which makes tests deterministic;
the scripted-only kind ``unauthorized`` answers 401 to one API request.

A run is configured with ``--faults SPEC`` (``kind=probability[:parameter]`` separated by
commas, e.g. ``latency=0.1:0.01-0.05,rate_limit=0.05:1,reset_after=0.03``), the
``[faults]`` table of the config file, or ``PUT /_simulator/faults`` at run time.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, field

from hacienda_cr.errors import ConfigurationError

DEFAULT_PARAMS: dict[str, dict[str, float]] = {
    "latency": {"min": 0.05, "max": 0.5},
    "rate_limit": {"retry_after": 1},
    "server_error": {"status": 503},
    "reset_before": {},
    "reset_after": {},
    "timeout_before": {"hold": 35},
    "timeout_after": {"hold": 35},
    "token_outage": {"status": 503},
    "reject": {},
    "malformed": {},
}
KINDS = tuple(DEFAULT_PARAMS)
# At most one of these per request; they are drawn together from one roll.
EXCLUSIVE = ("rate_limit", "server_error", "reset_before", "reset_after", "timeout_before", "timeout_after", "malformed")
SUBMIT_ONLY = ("reset_after", "timeout_after")
SCRIPTED_ONLY = ("unauthorized",)
# Hacienda's public data services (simulator/public_data.py): the same knobs apply to them.
PUBLIC_ENDPOINTS = ("taxpayer", "rates", "cabys", "exoneration")
PUBLIC_ONLY = ("malformed",)
ENDPOINTS = ("submit", "status", "comprobantes", "token", *PUBLIC_ENDPOINTS)
API_ENDPOINTS = ("submit", "status", "comprobantes")
ALIASES = {"429": "rate_limit", "5xx": "server_error", "token": "token_outage", "reset": "reset_before"}
# The single parameter a spec's ":value" sets, per kind.
SPEC_PARAM = {
    "rate_limit": "retry_after",
    "server_error": "status",
    "timeout_before": "hold",
    "timeout_after": "hold",
    "token_outage": "status",
}


@dataclass
class Fault:
    probability: float = 0.0
    params: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"probability": self.probability, **self.params}


def _number(value: object, where: str) -> float:
    if isinstance(value, bool):
        raise ConfigurationError(f"{where}: expected a number, got a boolean")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigurationError(f"{where}: {value!r} is not a number") from None


def _canonical(kind: str, where: str) -> str:
    kind = ALIASES.get(kind, kind)
    if kind == "timeout":
        raise ConfigurationError(f"{where}: say timeout_before (nothing recorded) or timeout_after (recorded)")
    if kind not in DEFAULT_PARAMS:
        raise ConfigurationError(f"{where}: unknown fault {kind!r}; known: {', '.join(KINDS)}")
    return kind


def make_fault(kind: str, spec: object, where: str) -> Fault:
    """A fault from a number (its probability) or a table ``{probability, <params>}``."""
    params = dict(DEFAULT_PARAMS[kind])
    if isinstance(spec, dict):
        unknown = set(spec) - {"probability", *params}
        if unknown:
            allowed = ", ".join(["probability", *params])
            raise ConfigurationError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}; allowed: {allowed}")
        probability = _number(spec.get("probability", 0), f"{where}.probability")
        for key in params:
            if key in spec:
                params[key] = _number(spec[key], f"{where}.{key}")
    else:
        probability = _number(spec, where)
    fault = Fault(probability, params)
    check_fault(kind, fault, where)
    return fault


def check_fault(kind: str, fault: Fault, where: str) -> None:
    if not 0 <= fault.probability <= 1:
        raise ConfigurationError(f"{where}: probability {fault.probability} must be between 0 and 1")
    p = fault.params
    if kind == "latency" and not 0 <= p["min"] <= p["max"]:
        raise ConfigurationError(f"{where}: latency needs 0 <= min <= max (got {p['min']}..{p['max']})")
    if kind in ("server_error",) and not 500 <= p["status"] <= 599:
        raise ConfigurationError(f"{where}: status {p['status']:g} is not a 5xx")
    if kind == "token_outage" and not (500 <= p["status"] <= 599 or p["status"] == 429):
        raise ConfigurationError(f"{where}: token outage status {p['status']:g} must be 5xx or 429")
    if any(v < 0 for v in p.values()):
        raise ConfigurationError(f"{where}: parameters must not be negative")


def parse_table(table: object, where: str = "faults") -> dict[str, Fault]:
    """The ``[faults]`` table (config file / JSON) into faults, checked."""
    if not isinstance(table, dict):
        raise ConfigurationError(f"{where}: expected a table of fault kinds")
    out = {}
    for raw_kind, spec in table.items():
        kind = _canonical(str(raw_kind), f"{where}.{raw_kind}")
        out[kind] = make_fault(kind, spec, f"{where}.{raw_kind}")
    check_total(out, where)
    return out


def parse_spec(spec: str, where: str = "--faults") -> dict[str, Fault]:
    """``kind=probability[:param]`` items separated by commas (latency's param: ``min-max``)."""
    out: dict[str, Fault] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        if "=" not in item:
            raise ConfigurationError(f"{where}: {item!r} should look like kind=probability[:parameter]")
        raw_kind, value = (x.strip() for x in item.split("=", 1))
        kind = _canonical(raw_kind, f"{where} {raw_kind}")
        probability, _, param = value.partition(":")
        table: dict[str, object] = {"probability": probability}
        if param:
            if kind == "latency":
                low, _, high = param.partition("-")
                table["min"] = low
                table["max"] = high or low
            elif kind in SPEC_PARAM:
                table[SPEC_PARAM[kind]] = param
            else:
                raise ConfigurationError(f"{where} {raw_kind}: takes no parameter")
        out[kind] = make_fault(kind, table, f"{where} {raw_kind}")
    check_total(out, where)
    return out


def check_total(faults: dict[str, Fault], where: str) -> None:
    total = sum(faults[k].probability for k in EXCLUSIVE if k in faults)
    if total > 1:
        raise ConfigurationError(f"{where}: the probabilities of {', '.join(EXCLUSIVE)} add up to {total:g} (> 1)")


@dataclass
class Plan:
    """What to do to one request."""

    latency: float = 0.0
    action: str | None = None  # one of EXCLUSIVE, token_outage or unauthorized
    params: dict = field(default_factory=dict)
    reject: bool = False


NO_FAULT = Plan()


class FaultInjector:
    """Thread-safe draws from the configured faults (seeded: reproducible in one thread)."""

    def __init__(self, faults: dict[str, Fault] | None = None, seed: int | None = None):
        self._faults: dict[str, Fault] = dict(faults or {})
        self._rng = random.Random(seed)  # noqa: S311 - fault draws, not secrets
        self._lock = threading.Lock()
        self._next: deque[tuple[str, str, dict]] = deque()

    def settings(self) -> dict:
        with self._lock:
            return {
                "faults": {k: f.as_dict() for k, f in self._faults.items() if f.probability > 0},
                "next": [{"kind": k, "endpoint": e, **p} for k, e, p in self._next],
            }

    def update(self, body: object) -> None:
        """``PUT /_simulator/faults``: ``{"faults": {...}, "replace": true, "next": [...]}``.

        ``faults`` merges into the current settings (``replace: true`` starts from none);
        ``next`` appends scripted faults; ``clear_next`` empties the queue."""
        if not isinstance(body, dict):
            raise ConfigurationError("expected a JSON object with 'faults' and/or 'next'")
        unknown = set(body) - {"faults", "replace", "next", "clear_next"}
        if unknown:
            raise ConfigurationError(f"unknown key(s) {', '.join(sorted(unknown))}; use faults, replace, next, clear_next")
        faults = parse_table(body.get("faults", {}))
        scripted = [self._scripted(item, i) for i, item in enumerate(body.get("next") or [])]
        with self._lock:
            merged = {} if body.get("replace") else dict(self._faults)
            merged.update(faults)
            check_total(merged, "faults")
            self._faults = merged
            if body.get("clear_next"):
                self._next.clear()
            self._next.extend(scripted)

    @staticmethod
    def _scripted(item: object, index: int) -> tuple[str, str, dict]:
        where = f"next[{index}]"
        if not isinstance(item, dict) or "kind" not in item:
            raise ConfigurationError(f"{where}: expected {{'kind': ..., 'endpoint': ...}}")
        raw = str(item["kind"])
        kind = raw if raw in SCRIPTED_ONLY else _canonical(raw, where)
        endpoint = str(item.get("endpoint", "token" if kind == "token_outage" else "submit"))
        if endpoint not in (*ENDPOINTS, "any"):
            raise ConfigurationError(f"{where}: endpoint {endpoint!r} must be one of {', '.join(ENDPOINTS)} or any")
        if kind in SUBMIT_ONLY and endpoint != "submit":
            raise ConfigurationError(f"{where}: {kind} only applies to the submit endpoint")
        if kind in PUBLIC_ONLY and endpoint not in PUBLIC_ENDPOINTS:
            raise ConfigurationError(f"{where}: {kind} only applies to {', '.join(PUBLIC_ENDPOINTS)}")
        params = dict(DEFAULT_PARAMS.get(kind, {}))
        for key, value in item.items():
            if key in ("kind", "endpoint"):
                continue
            if key not in params:
                raise ConfigurationError(f"{where}: {kind} has no parameter {key!r}")
            params[key] = _number(value, f"{where}.{key}")
        return kind, endpoint, params

    def draw(self, endpoint: str) -> Plan:
        with self._lock:
            plan = Plan()
            scripted = self._pop_scripted(endpoint)
            if scripted is not None:
                kind, params = scripted
                if kind == "latency":
                    plan.latency = self._rng.uniform(params["min"], params["max"])
                elif kind == "reject":
                    plan.reject = True
                else:
                    plan.action, plan.params = kind, params
                return plan
            latency = self._faults.get("latency")
            if latency and self._rng.random() < latency.probability:
                plan.latency = self._rng.uniform(latency.params["min"], latency.params["max"])
            if endpoint == "token":
                outage = self._faults.get("token_outage")
                if outage and self._rng.random() < outage.probability:
                    plan.action, plan.params = "token_outage", outage.params
                return plan
            roll = self._rng.random()
            for kind in EXCLUSIVE:
                fault = self._faults.get(kind)
                if fault is None:
                    continue
                if roll < fault.probability:
                    if (kind not in SUBMIT_ONLY or endpoint == "submit") and (
                            kind not in PUBLIC_ONLY or endpoint in PUBLIC_ENDPOINTS):
                        plan.action, plan.params = kind, fault.params
                    break
                roll -= fault.probability
            if endpoint == "submit":
                reject = self._faults.get("reject")
                plan.reject = bool(reject and self._rng.random() < reject.probability)
            return plan

    def _pop_scripted(self, endpoint: str) -> tuple[str, dict] | None:
        for i, (kind, wanted, params) in enumerate(self._next):
            # "any" is any reception API endpoint: a public lookup never takes a fault meant for them.
            if wanted == endpoint or (wanted == "any" and endpoint in API_ENDPOINTS):
                del self._next[i]
                return kind, params
        return None
