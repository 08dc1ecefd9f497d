"""The simulator's IDP: signed, expiring tokens like Keycloak's (JWT, HS256).

Tokens carry their own expiry and are checked by signature, so they survive a restart
(the secret lives in the database). ``not_before`` revokes every token issued before it,
as Keycloak's "push not-before" does; the control endpoint uses it to make tests see a 401.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _seconds(value: float) -> int | float:
    """Whole seconds as Keycloak writes them; fractions kept for the short lifetimes of tests."""
    return int(value) if value == int(value) else value


class TokenIssuer:
    def __init__(self, secret: bytes, access_ttl: float, refresh_ttl: float, not_before: float = 0.0):
        self._secret = secret
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.not_before = not_before

    def _sign(self, claims: dict) -> str:
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        mac = hmac.new(self._secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(mac)}"

    def _claims(self, token: str) -> dict | None:
        try:
            header, payload, mac = token.split(".")
            expected = hmac.new(self._secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, _unb64(mac)):
                return None
            claims = json.loads(_unb64(payload))
        except (ValueError, TypeError):
            return None
        if not isinstance(claims, dict):
            return None
        now = time.time()
        if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= now:
            return None
        if claims.get("iat", 0) < self.not_before:
            return None
        return claims

    def issue(self, username: str, realm: str, client_id: str, issuer: str) -> dict:
        """The token endpoint's JSON answer (access + refresh token)."""
        now = time.time()
        session = secrets.token_hex(8)
        common = {"iss": issuer, "azp": client_id, "sub": username, "preferred_username": username, "sid": session}
        access = self._sign({**common, "typ": "Bearer", "iat": now, "exp": now + self.access_ttl, "jti": secrets.token_hex(8), "realm": realm})
        refresh = self._sign({**common, "typ": "Refresh", "iat": now, "exp": now + self.refresh_ttl, "jti": secrets.token_hex(8), "realm": realm})
        return {
            "access_token": access,
            "expires_in": _seconds(self.access_ttl),
            "refresh_expires_in": _seconds(self.refresh_ttl),
            "refresh_token": refresh,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "session_state": session,
            "scope": "profile email",
        }

    def access_claims(self, token: str) -> dict | None:
        claims = self._claims(token)
        return claims if claims and claims.get("typ") == "Bearer" else None

    def refresh_claims(self, token: str, realm: str, client_id: str) -> dict | None:
        claims = self._claims(token)
        if not claims or claims.get("typ") != "Refresh":
            return None
        if claims.get("realm") != realm or claims.get("azp") != client_id:
            return None
        return claims
