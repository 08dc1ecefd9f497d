"""Where a running stack is, for what talks to it from outside (the stack suites in tests/stack,
the benchmarks in scripts/bench), from the environment the NixOS e2e test and scripts/test pass,
defaulting to the local plain-host stack (scripts/stack up).

    STACK_URL                   nginx, e.g. http://127.0.0.1:8080
    STACK_SETTINGS              stack/settings.toml
    ODOO_URL, ODOO_DB           Odoo itself (default: the settings' host/port, database)
    ODOO_ADMIN_LOGIN            default: the settings' admin_login
    ODOO_ADMIN_PASSWORD_FILE    default: $STACK_HOME/secrets/odoo-admin-password
    ODOO_DB_PASSWORD_FILE       Odoo's PostgreSQL password (default: $STACK_HOME/secrets/odoo-db-password)
    HACIENDA_CREDENTIALS_FILE   USER:PASSWORD lines (default: $STACK_HOME/secrets/hacienda-credentials)
    HACIENDA_SIMULATOR_URL      default: the settings' simulator URL
    METRICS_TOKEN_FILE          default: $STACK_HOME/secrets/metrics-token
    SIMULATOR_CONTROL_TOKEN_FILE  bearer token of the simulator's /_simulator/* endpoints
                                (default: $STACK_HOME/secrets/simulator-control-token)
    REDIS_PASSWORD_FILE         Redis' password, where it has one (the NixOS deployments; unset:
                                the plain host's Redis on loopback has none)
    STACK_MAILDIR               the SMTP sink's Maildir (default: $STACK_HOME/mail)
    GRAFANA_ADMIN_PASSWORD_FILE Grafana's admin password (default: $STACK_HOME/secrets/grafana-admin-password)
    STACK_TEST_PKI_DIR          the stack's test CA and the simulator's seal, staging with the simulator
                                (default: $STACK_HOME/test-pki)
    STACK_HOME                  the plain-host stack's state (default: <repo>/.var/stack)
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from einvoice_stack import stackconf
from einvoice_stack.layout import Layout


@dataclass(frozen=True)
class StackEnv:
    settings: dict
    stack_url: str
    odoo_url: str
    database: str
    admin_login: str
    admin_password_file: Path
    db_password_file: Path
    credentials_file: Path
    simulator_url: str
    metrics_token_file: Path
    simulator_control_token_file: Path
    redis_password_file: Path | None
    maildir: Path
    stack_home: Path
    test_pki_dir: Path

    @property
    def admin_password(self) -> str:
        return _read(self.admin_password_file, "ODOO_ADMIN_PASSWORD_FILE")

    @property
    def db_password(self) -> str:
        return _read(self.db_password_file, "ODOO_DB_PASSWORD_FILE")

    @property
    def metrics_token(self) -> str:
        return _read(self.metrics_token_file, "METRICS_TOKEN_FILE")

    @property
    def simulator_control_headers(self) -> dict[str, str]:
        """What the simulator's control endpoints (/_simulator/*) ask of a client."""
        return {"Authorization": "Bearer " + _read(self.simulator_control_token_file, "SIMULATOR_CONTROL_TOKEN_FILE")}

    @property
    def redis_password(self) -> str | None:
        return _read(self.redis_password_file, "REDIS_PASSWORD_FILE") if self.redis_password_file else None

    def hacienda_password(self, user: str) -> str:
        """The password of `user` at the simulator (a line of the Hacienda credentials)."""
        for line in _read(self.credentials_file, "HACIENDA_CREDENTIALS_FILE").splitlines():
            name, _, password = line.strip().partition(":")
            if name == user:
                return password
        raise AssertionError(f"HACIENDA_CREDENTIALS_FILE={self.credentials_file} has no line for {user}")

    @property
    def hacienda_credentials(self) -> tuple[str, str]:
        line = _read(self.credentials_file, "HACIENDA_CREDENTIALS_FILE").splitlines()[0]
        user, _, password = line.partition(":")
        return user, password

    def port(self, name: str) -> int:
        return self.settings["ports"][name]

    def host(self, role: str) -> str:
        return self.settings["hosts"][role]

    def url(self, role: str, port_key: str, path: str = "") -> str:
        host = self.host(role)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port(port_key)}{path}"


def _read(path: Path, variable: str) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise AssertionError(f"{path} ({variable}) cannot be read: {exc.strerror}") from None


@functools.cache
def stack_env() -> StackEnv:
    """The environment's stack, read once per process."""
    return from_environment()


def from_environment() -> StackEnv:
    env = os.environ
    layout = Layout.from_environment()
    settings = stackconf.load(layout.settings_file)
    home = layout.home
    secrets = layout.secrets
    nginx = settings["nginx"]["listen"]
    hosts, ports = settings["hosts"], settings["ports"]
    return StackEnv(
        settings=settings,
        stack_url=(env.get("STACK_URL") or f"http://{nginx['addr']}:{nginx['port']}").rstrip("/"),
        odoo_url=(env.get("ODOO_URL") or f"http://{hosts['odoo']}:{ports['odoo']}").rstrip("/"),
        database=env.get("ODOO_DB") or settings["stack"]["database"],
        admin_login=env.get("ODOO_ADMIN_LOGIN") or settings["stack"]["admin_login"],
        admin_password_file=Path(env.get("ODOO_ADMIN_PASSWORD_FILE") or secrets / "odoo-admin-password"),
        db_password_file=Path(env.get("ODOO_DB_PASSWORD_FILE") or secrets / "odoo-db-password"),
        credentials_file=Path(env.get("HACIENDA_CREDENTIALS_FILE") or secrets / "hacienda-credentials"),
        simulator_url=(env.get("HACIENDA_SIMULATOR_URL") or settings["simulator"]["url"]).rstrip("/"),
        metrics_token_file=Path(env.get("METRICS_TOKEN_FILE") or secrets / "metrics-token"),
        simulator_control_token_file=Path(env.get("SIMULATOR_CONTROL_TOKEN_FILE")
                                          or secrets / "simulator-control-token"),
        redis_password_file=Path(env["REDIS_PASSWORD_FILE"]) if env.get("REDIS_PASSWORD_FILE") else None,
        maildir=Path(env.get("STACK_MAILDIR") or home / "mail"),
        stack_home=home,
        test_pki_dir=Path(env.get("STACK_TEST_PKI_DIR") or home / "test-pki"),
    )
