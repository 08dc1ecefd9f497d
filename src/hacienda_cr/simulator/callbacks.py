"""Delivering ``callbackUrl`` notifications: POST the final status once a document is decided.

Pending deliveries live in the database (a restart resumes them). A failed delivery is
retried with growing pauses (1, 2, 4, … s) up to ``attempts`` times, then given up; every
outcome is counted.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request

from hacienda_cr.redaction import redact_url
from hacienda_cr.simulator.metrics import Metrics
from hacienda_cr.simulator.store import Store

log = logging.getLogger(__name__)


class CallbackSender(threading.Thread):
    def __init__(self, store: Store, metrics: Metrics, status_body, *, attempts: int = 5, timeout: float = 5.0):
        super().__init__(name="hacienda-sim-callbacks", daemon=True)
        self.store = store
        self.metrics = metrics
        self.status_body = status_body  # Record -> dict, the same JSON as GET /recepcion/{clave}
        self.attempts = attempts
        self.timeout = timeout
        self._wake = threading.Event()
        self._stopping = threading.Event()
        # Straight to the callback URL: an HTTP(S)_PROXY meant for the outside must not apply.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def notify(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def run(self) -> None:
        while not self._stopping.is_set():
            now = time.time()
            try:
                due = self.store.due_callbacks(now)
            except Exception:  # the database went away under us (shutdown)
                if self._stopping.is_set():
                    return
                raise
            for record in due:
                if self._stopping.is_set():
                    return
                self._deliver(record)
            if due:
                continue
            following = self.store.next_callback_at()
            pause = 1.0 if following is None else min(1.0, max(0.01, following - time.time()))
            self._wake.wait(pause)
            self._wake.clear()

    def _deliver(self, record) -> None:
        body = json.dumps(self.status_body(record)).encode()
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked at the gate
            record.callback_url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as resp:
                ok = 200 <= resp.status < 300
        except (urllib.error.URLError, OSError, ValueError) as exc:
            log.info("callback for %s to %s failed: %s", record.resource, redact_url(record.callback_url), exc)
            ok = False
        if ok:
            self.store.callback_result(record.resource, delivered=True, give_up=False, next_at=None)
            self.metrics.count("callbacks", "delivered")
            return
        tries = record.callback_attempts + 1
        give_up = tries >= self.attempts
        self.metrics.count("callbacks", "gave_up" if give_up else "failed_attempt")
        self.store.callback_result(
            record.resource, delivered=False, give_up=give_up, next_at=None if give_up else time.time() + 2 ** (tries - 1)
        )
