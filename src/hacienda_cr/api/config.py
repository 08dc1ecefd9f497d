"""Where Hacienda is and how patiently to talk to it: environments, timeouts, retries, rate.

Three presets: ``sandbox`` and ``production`` (Hacienda's published endpoints) and
``simulator`` (the local simulator, ``hacienda-cr simulator``, on 127.0.0.1:8090 with the
sandbox realm). Each preset carries its own retry/timeout/rate numbers: the real API is
slow and throttles, the simulator answers in milliseconds. Everything can be overridden.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields, replace
from urllib.parse import urlsplit

from hacienda_cr.errors import ConfigurationError
from hacienda_cr.redaction import redact_url

IDP_HOST = "https://idp.comprobanteselectronicos.go.cr"
TOKEN_PATH = "/protocol/openid-connect/token"  # noqa: S105 - a URL path
RECEPTION_PATH = "/recepcion/v1/"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter; ``Retry-After`` is honoured up to a cap."""

    max_attempts: int = 6  # attempts per call, the first included
    base_delay: float = 1.0  # seconds before the 2nd attempt (before jitter)
    multiplier: float = 2.0
    max_delay: float = 60.0
    max_retry_after: float = 120.0  # a longer Retry-After ends the call with RetriesExhausted

    def check(self) -> None:
        problems = []
        if self.max_attempts < 1:
            problems.append("retry.max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0:
            problems.append("retry delays must not be negative")
        if self.multiplier < 1:
            problems.append("retry.multiplier must be at least 1")
        if problems:
            raise ConfigurationError("; ".join(problems))


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    read: float = 30.0  # per request; a POST that times out is ambiguous (it may have arrived)
    token_refresh_margin: float = 30.0  # renew a token this long before it expires


@dataclass(frozen=True)
class Polling:
    """How ``wait_final`` polls ``GET /recepcion/{clave}``."""

    first_interval: float = 2.0
    multiplier: float = 1.5
    max_interval: float = 30.0
    timeout: float = 600.0  # give up waiting (the document stays where it is; poll later)
    not_found_grace: float = 60.0  # Hacienda may answer 404 shortly after a 202


@dataclass(frozen=True)
class Environment:
    name: str
    token_url: str
    client_id: str
    api_url: str  # the reception API base, ending in /recepcion/v1/ (or Hacienda's equivalent)


def token_url_for(idp: str, realm: str) -> str:
    """The OIDC token endpoint from an IDP base URL (or the endpoint itself)."""
    idp = idp.rstrip("/")
    _check_url(idp, "the IDP URL")
    if idp.endswith(TOKEN_PATH):
        return idp
    if "/realms/" in idp:
        return idp + TOKEN_PATH
    if not idp.endswith("/auth"):
        idp += "/auth"
    return f"{idp}/realms/{realm}{TOKEN_PATH}"


def api_url_for(api: str) -> str:
    """The reception base URL; a bare host gets Hacienda's ``/recepcion/v1/`` path."""
    _check_url(api, "the API URL")
    if urlsplit(api).path in ("", "/"):
        return api.rstrip("/") + RECEPTION_PATH
    return api if api.endswith("/") else api + "/"


def _check_url(url: str, what: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"{what} {redact_url(url)!r} is not an http(s) URL")
    if "@" in parts.netloc:
        raise ConfigurationError(
            f"{what} {redact_url(url)!r} holds a user or password; Hacienda's credentials are the "
            "API user and password settings, never part of a URL"
        )


ENVIRONMENTS: dict[str, Environment] = {
    "sandbox": Environment(
        "sandbox",
        token_url_for(IDP_HOST, "rut-stag"),
        "api-stag",
        "https://api-sandbox.comprobanteselectronicos.go.cr/recepcion/v1/",
    ),
    "production": Environment(
        "production",
        token_url_for(IDP_HOST, "rut"),
        "api-prod",
        "https://api.comprobanteselectronicos.go.cr/recepcion/v1/",
    ),
    "simulator": Environment(
        "simulator",
        token_url_for("http://127.0.0.1:8090", "rut-stag"),
        "api-stag",
        "http://127.0.0.1:8090/recepcion/v1/",
    ),
}

# Hacienda publishes no limit; ~10 requests/s is what SDKs use and bursts get 429.
_REMOTE = {
    "retry": RetryPolicy(),
    "timeouts": Timeouts(),
    "polling": Polling(),
    "rate_limit": 10.0,
}
PRESETS = {
    "sandbox": _REMOTE,
    "production": _REMOTE,
    "simulator": {
        "retry": RetryPolicy(max_attempts=8, base_delay=0.1, max_delay=2.0, max_retry_after=10.0),
        "timeouts": Timeouts(connect=2.0, read=10.0, token_refresh_margin=5.0),
        "polling": Polling(first_interval=0.1, multiplier=1.5, max_interval=1.0, timeout=120.0, not_found_grace=5.0),
        "rate_limit": 0.0,
    },
}


@dataclass(frozen=True)
class ClientConfig:
    """Everything ``HaciendaClient`` needs. Build it with :meth:`for_environment`."""

    environment: Environment
    username: str
    password: str = field(repr=False)
    retry: RetryPolicy = RetryPolicy()
    timeouts: Timeouts = Timeouts()
    polling: Polling = Polling()
    rate_limit: float = 10.0  # requests per second per process; 0 = no limit
    rate_burst: int = 5
    token_cache_url: str | None = None  # redis://… to share tokens between processes
    verify_tls: bool = True
    # Certificates (PEM/DER bytes or x509 objects) that Hacienda's answers must chain to;
    # None checks the MensajeHacienda signature cryptographically without a trust anchor.
    trusted_certs: tuple = ()
    user_agent: str = "hacienda-cr"

    @classmethod
    def for_environment(
        cls,
        name: str,
        username: str,
        password: str,
        *,
        api_url: str | None = None,
        idp_url: str | None = None,
        realm: str | None = None,
        client_id: str | None = None,
        **overrides,
    ) -> ClientConfig:
        """The preset ``name`` with optional URL and setting overrides.

        ``idp_url`` may be the IDP host, a realm URL or the token endpoint itself;
        ``realm`` defaults to the preset's (rut-stag for sandbox and simulator, rut for
        production)."""
        if name not in ENVIRONMENTS:
            raise ConfigurationError(f"unknown environment {name!r}; use {', '.join(ENVIRONMENTS)}")
        env = ENVIRONMENTS[name]
        default_realm = "rut" if name == "production" else "rut-stag"
        if idp_url or realm:
            base = idp_url or env.token_url.split("/realms/")[0]
            env = replace(env, token_url=token_url_for(base, realm or default_realm))
        if api_url:
            env = replace(env, api_url=api_url_for(api_url))
        if client_id:
            env = replace(env, client_id=client_id)
        if not username:
            raise ConfigurationError("a Hacienda API username is required (e.g. cpj-3-101-123456@stag.comprobanteselectronicos.go.cr)")
        if not password:
            raise ConfigurationError(f"no password given for the Hacienda API user {username}")
        preset = dict(PRESETS[name])
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ConfigurationError(f"unknown client setting(s): {', '.join(unknown)}")
        preset.update(overrides)
        config = cls(environment=env, username=username, password=password, **preset)
        config.check()
        return config

    def with_overrides(self, **changes) -> ClientConfig:
        config = dataclasses.replace(self, **changes)
        config.check()
        return config

    def check(self) -> None:
        self.retry.check()
        if self.environment.name != "simulator":
            # The password grant and the bearer tokens travel in these requests.
            for what, url in (("the token (IDP) URL", self.environment.token_url),
                              ("the API URL", self.environment.api_url)):
                if urlsplit(url).scheme != "https":
                    raise ConfigurationError(
                        f"{what} {redact_url(url)!r} is not https: the {self.environment.name} "
                        "environment sends the API password and tokens there, which must travel "
                        "encrypted (plain http is accepted only for the local simulator)"
                    )
        if self.timeouts.connect <= 0 or self.timeouts.read <= 0:
            raise ConfigurationError("timeouts must be positive")
        if self.rate_limit < 0:
            raise ConfigurationError("rate_limit must not be negative (0 means no limit)")
        if self.rate_burst < 1:
            raise ConfigurationError("rate_burst must be at least 1")
