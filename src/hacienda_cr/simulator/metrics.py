"""Counters of what the simulator saw and did, as JSON and as Prometheus text.

Counters live in memory and restart from zero with the process (as Prometheus expects);
documents by state are read from the database at scrape time, so they survive restarts.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def _labels(**labels: object) -> str:
    parts = []
    for key, value in labels.items():
        text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        parts.append(f'{key}="{text}"')
    return "{" + ",".join(parts) + "}"


class Metrics:
    def __init__(self):
        self._lock = threading.Lock()
        self.started = time.time()
        self.requests: Counter = Counter()  # (endpoint, method, status)
        self.durations: dict[str, list[float]] = {}  # endpoint -> [bucket counts..., sum, count]
        self.duplicates = 0
        self.decisions: Counter = Counter()  # aceptado / rechazado
        self.faults: Counter = Counter()  # kind
        self.tokens: Counter = Counter()  # (grant, result)
        self.callbacks: Counter = Counter()  # delivered / failed_attempt / gave_up
        self.gate_refusals: Counter = Counter()  # status code

    def request(self, endpoint: str, method: str, status: str, seconds: float) -> None:
        with self._lock:
            self.requests[(endpoint, method, status)] += 1
            hist = self.durations.setdefault(endpoint, [0.0] * (len(BUCKETS) + 2))
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    hist[i] += 1
            hist[-2] += seconds
            hist[-1] += 1

    def count(self, name: str, key: object = None, amount: int = 1) -> None:
        with self._lock:
            if name == "duplicates":
                self.duplicates += amount
            else:
                getattr(self, name)[key] += amount

    def snapshot(self, documents: dict[str, int], stored: dict[str, int]) -> dict:
        with self._lock:
            return {
                "uptime_seconds": round(time.time() - self.started, 3),
                "requests": {f"{m} {e} {s}": n for (e, m, s), n in sorted(self.requests.items())},
                "requests_by_endpoint": _by_first(self.requests),
                "duplicates": self.duplicates,
                "gate_refusals": {str(k): v for k, v in sorted(self.gate_refusals.items())},
                "decisions": dict(self.decisions),
                "faults_injected": dict(self.faults),
                "tokens_issued": {f"{g}:{r}": n for (g, r), n in sorted(self.tokens.items())},
                "callbacks": dict(self.callbacks),
                "documents": documents,
                "stored": stored,
            }

    def prometheus(self, documents: dict[str, int], stored: dict[str, int]) -> str:
        out: list[str] = []

        def family(name: str, kind: str, help_text: str, samples) -> None:
            out.append(f"# HELP {name} {help_text}")
            out.append(f"# TYPE {name} {kind}")
            for labels, value in samples:
                out.append(f"{name}{_labels(**labels) if labels else ''} {value}")

        with self._lock:
            family(
                "hacienda_sim_requests_total",
                "counter",
                "HTTP requests by endpoint, method and answer (status code, reset or timeout).",
                [({"endpoint": e, "method": m, "status": s}, n) for (e, m, s), n in sorted(self.requests.items())],
            )
            out.append("# HELP hacienda_sim_request_duration_seconds Time to answer a request.")
            out.append("# TYPE hacienda_sim_request_duration_seconds histogram")
            for endpoint, hist in sorted(self.durations.items()):
                for i, bound in enumerate(BUCKETS):
                    out.append(f"hacienda_sim_request_duration_seconds_bucket{_labels(endpoint=endpoint, le=f'{bound:g}')} {int(hist[i])}")
                out.append(f"hacienda_sim_request_duration_seconds_bucket{_labels(endpoint=endpoint, le='+Inf')} {int(hist[-1])}")
                out.append(f"hacienda_sim_request_duration_seconds_sum{_labels(endpoint=endpoint)} {hist[-2]:.6f}")
                out.append(f"hacienda_sim_request_duration_seconds_count{_labels(endpoint=endpoint)} {int(hist[-1])}")
            family("hacienda_sim_duplicates_total", "counter", "Submissions of a clave already received (400 ya fue recibido).", [({}, self.duplicates)])
            family(
                "hacienda_sim_gate_refusals_total",
                "counter",
                "Submissions refused before recording (400 malformed, 403 not authorised).",
                [({"status": str(k)}, n) for k, n in sorted(self.gate_refusals.items())],
            )
            family(
                "hacienda_sim_decisions_total",
                "counter",
                "Documents judged, by result.",
                [({"result": r}, self.decisions.get(r, 0)) for r in ("aceptado", "rechazado")],
            )
            family(
                "hacienda_sim_faults_injected_total",
                "counter",
                "Faults injected, by kind.",
                [({"kind": k}, n) for k, n in sorted(self.faults.items())],
            )
            family(
                "hacienda_sim_tokens_total",
                "counter",
                "Token endpoint answers by grant type and result.",
                [({"grant": g, "result": r}, n) for (g, r), n in sorted(self.tokens.items())],
            )
            family(
                "hacienda_sim_callbacks_total",
                "counter",
                "Callback deliveries by result.",
                [({"result": r}, n) for r, n in sorted(self.callbacks.items())],
            )
        family(
            "hacienda_sim_documents",
            "gauge",
            "Documents in the database by their current state.",
            [({"state": s}, n) for s, n in sorted(documents.items())],
        )
        family("hacienda_sim_duplicate_posts_stored", "gauge", "Duplicate submissions recorded in the database (all time).", [({}, stored.get("duplicate_posts", 0))])
        family("hacienda_sim_uptime_seconds", "gauge", "Seconds since the simulator started.", [({}, round(time.time() - self.started, 3))])
        return "\n".join(out) + "\n"


def _by_first(counter: Counter) -> dict[str, int]:
    totals: Counter = Counter()
    for (endpoint, _method, _status), n in counter.items():
        totals[endpoint] += n
    return dict(totals)
