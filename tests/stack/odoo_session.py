"""A logged-in Odoo web session over JSON-RPC (what the web client does), with requests."""

from __future__ import annotations

import itertools
import time

import requests


class OdooRPCError(AssertionError):
    def __init__(self, error: dict):
        data = error.get("data") or {}
        self.name = data.get("name", "")
        self.message = data.get("message") or error.get("message", "")
        super().__init__(f"{self.name}: {self.message}")


class OdooSession:
    def __init__(self, base_url: str, database: str, timeout: float = 120):
        self.base_url = base_url.rstrip("/")
        self.database = database
        self.http = requests.Session()
        self.timeout = timeout
        self._ids = itertools.count(1)
        self.uid: int | None = None

    def jsonrpc(self, path: str, params: dict):
        response = self.http.post(
            self.base_url + path,
            json={"jsonrpc": "2.0", "method": "call", "id": next(self._ids), "params": params},
            timeout=self.timeout,
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            raise OdooRPCError(body["error"])
        # Odoo leaves "result" out when the method returned None.
        return body.get("result")

    def authenticate(self, login: str, password: str) -> dict:
        info = self.jsonrpc("/web/session/authenticate",
                            {"db": self.database, "login": login, "password": password})
        self.uid = info.get("uid")
        if not self.uid:
            raise OdooRPCError({"message": f"login {login!r} refused"})
        return info

    def call(self, model: str, method: str, *args, **kwargs):
        return self.jsonrpc(f"/web/dataset/call_kw/{model}.{method}",
                            {"model": model, "method": method, "args": list(args), "kwargs": kwargs})

    def search_read(self, model: str, domain: list, fields: list[str], **kwargs) -> list[dict]:
        return self.call(model, "search_read", domain, fields, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base_url + path, timeout=self.timeout, **kwargs)

    def wait_for(self, what: str, probe, timeout: float = 120, interval: float = 1.0):
        """Call probe() until it returns something truthy; fail naming `what` otherwise."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = probe()
            if last:
                return last
            time.sleep(interval)
        raise AssertionError(f"{what}: not reached within {timeout:.0f} s (last seen: {last!r})")
