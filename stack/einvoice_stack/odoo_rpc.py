"""A logged-in Odoo web session over JSON-RPC with the standard library only (the NixOS
seeding hook runs the seed from this package alone: no OdooRPC there)."""

from __future__ import annotations

import http.cookiejar
import itertools
import json
import time
import urllib.error
import urllib.request


class OdooError(Exception):
    """An error answered by Odoo (or no answer at all), with Odoo's own message."""


class OdooRPC:
    def __init__(self, base_url: str, database: str, timeout: float = 300):
        self.base_url = base_url.rstrip("/")
        self.database = database
        self.timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self._ids = itertools.count(1)
        self.uid: int | None = None

    def _post(self, path: str, params: dict):
        payload = json.dumps({"jsonrpc": "2.0", "method": "call", "id": next(self._ids), "params": params}).encode()
        request = urllib.request.Request(self.base_url + path, data=payload,
                                         headers={"Content-Type": "application/json"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise OdooError(f"{self.base_url}{path}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise OdooError(f"{self.base_url}{path}: {getattr(exc, 'reason', exc)}") from None
        if "error" in body:
            data = body["error"].get("data") or {}
            raise OdooError(data.get("message") or body["error"].get("message") or "unknown error")
        # Odoo leaves "result" out when the method returned None.
        return body.get("result")

    def login(self, login: str, password: str) -> None:
        info = self._post("/web/session/authenticate", {"db": self.database, "login": login, "password": password})
        if not info.get("uid"):
            raise OdooError(f"Odoo refused the login {login!r} on database {self.database!r}")
        self.uid = info["uid"]

    def call(self, model: str, method: str, *args, **kwargs):
        return self._post(f"/web/dataset/call_kw/{model}.{method}",
                          {"model": model, "method": method, "args": list(args), "kwargs": kwargs})

    def search_read(self, model: str, domain: list, fields: list[str], **kwargs) -> list[dict]:
        return self.call(model, "search_read", domain, fields, **kwargs)

    def ref(self, xmlid: str) -> int:
        module, name = xmlid.split(".", 1)
        rows = self.search_read("ir.model.data", [("module", "=", module), ("name", "=", name)], ["res_id"])
        if not rows:
            raise OdooError(f"no record {xmlid} in the database")
        return rows[0]["res_id"]

    def fields(self, model: str) -> dict:
        return self.call(model, "fields_get", attributes=["type", "relation", "selection"])

    def wait_ready(self, timeout: float = 300) -> None:
        """Wait for Odoo's /web/health (the seeding hook may start before Odoo answers)."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base_url + "/web/health", timeout=10) as response:
                    if b'"pass"' in response.read():
                        return
            except (urllib.error.URLError, OSError) as exc:
                last = str(getattr(exc, "reason", exc))
            time.sleep(1)
        raise OdooError(f"{self.base_url} did not answer /web/health within {timeout:.0f} s ({last})")
