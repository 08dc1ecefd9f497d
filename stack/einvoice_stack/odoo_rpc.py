"""A logged-in Odoo web session over JSON-RPC, with the standard library only — the one client
of the seed, the stack suites and the benchmarks (the NixOS seeding hook runs the seed from
this package alone: no OdooRPC or requests there)."""

from __future__ import annotations

import email.message
import http.cookiejar
import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass


class OdooError(AssertionError):
    """An error answered by Odoo (or no answer at all), with Odoo's own message.

    ``name``: Odoo's exception class (``odoo.exceptions.AccessError``…), empty when Odoo gave
    no answer. An AssertionError, so that a suite's failed call reads as a failed check."""

    def __init__(self, message: str, name: str = ""):
        super().__init__(f"{name}: {message}" if name else message)
        self.name = name
        self.message = message


@dataclass
class Page:
    """A page fetched in the session (what a browser logged in as the user gets)."""

    status_code: int
    headers: email.message.Message
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode(self.headers.get_content_charset() or "utf-8", errors="replace")


class OdooRPC:
    def __init__(self, base_url: str, database: str, timeout: float = 300):
        self.base_url = base_url.rstrip("/")
        self.database = database
        self.timeout = timeout
        self._opener = urllib.request.build_opener(
            # Straight to the URL given: a proxy of the environment has no business with a stack.
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
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
        except ValueError as exc:  # not JSON: a proxy's error page
            raise OdooError(f"{self.base_url}{path}: not a JSON-RPC answer ({exc})") from None
        if "error" in body:
            data = body["error"].get("data") or {}
            raise OdooError(data.get("message") or body["error"].get("message") or "unknown error",
                            data.get("name", ""))
        # Odoo leaves "result" out when the method returned None.
        return body.get("result")

    def authenticate(self, login: str, password: str) -> dict:
        """Log in; Odoo's session information."""
        info = self._post("/web/session/authenticate", {"db": self.database, "login": login, "password": password})
        if not (info or {}).get("uid"):
            raise OdooError(f"Odoo refused the login {login!r} on database {self.database!r}")
        self.uid = info["uid"]
        return info

    def get(self, path: str) -> Page:
        """GET a page in the session; an HTTP error status is an answer, not an exception."""
        try:
            with self._opener.open(self.base_url + path, timeout=self.timeout) as response:
                return Page(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            return Page(exc.code, exc.headers, exc.read())
        except (urllib.error.URLError, OSError) as exc:
            raise OdooError(f"{self.base_url}{path}: {getattr(exc, 'reason', exc)}") from None

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
                with self._opener.open(self.base_url + "/web/health", timeout=10) as response:
                    if b'"pass"' in response.read():
                        return
            except (urllib.error.URLError, OSError) as exc:
                last = str(getattr(exc, "reason", exc))
            time.sleep(1)
        raise OdooError(f"{self.base_url} did not answer /web/health within {timeout:.0f} s ({last})")

    def wait_for(self, what: str, probe, timeout: float = 120, interval: float = 1.0):
        """Call probe() until it returns something truthy; fail naming ``what`` otherwise."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = probe()
            if last:
                return last
            time.sleep(interval)
        raise OdooError(f"{what}: not reached within {timeout:.0f} s (last seen: {last!r})")
