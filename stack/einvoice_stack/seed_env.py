"""The seeding inputs: the environment the NixOS hook passes (docs/nix.md, "Seeding
hook"), each defaulting to the local plain-host stack when absent."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from einvoice_stack import secrets_store
from einvoice_stack.layout import Layout


class SeedError(Exception):
    pass


@dataclass(frozen=True)
class SeedEnv:
    settings: dict
    stack_url: str
    odoo_url: str
    database: str
    admin_login: str
    admin_password_file: Path
    environment: str
    simulator_url: str
    credentials_file: Path
    certificate_file: Path
    certificate_pin_file: Path
    summary_file: Path | None
    # the stack's test PKI (einvoice_stack.test_pki), staging with the simulator only
    test_pki_dir: Path | None = None
    simulator_control_token_file: Path | None = None

    @staticmethod
    def read(path: Path, variable: str) -> str:
        try:
            return secrets_store.read_file(path, f"{variable}={path}")
        except secrets_store.SecretFileError as exc:
            raise SeedError(str(exc)) from None

    def admin_password(self) -> str:
        return self.read(self.admin_password_file, "ODOO_ADMIN_PASSWORD_FILE")

    def pin(self) -> str:
        return self.read(self.certificate_pin_file, "CERTIFICATE_PIN_FILE")

    def simulator_control_headers(self) -> dict[str, str]:
        """The bearer token of the simulator's control endpoints, when it has one."""
        path = self.simulator_control_token_file
        if path is None or not path.exists():
            return {}
        return {"Authorization": "Bearer " + self.read(path, "SIMULATOR_CONTROL_TOKEN_FILE")}

    def credentials(self) -> tuple[str, str]:
        for line in self.read(self.credentials_file, "HACIENDA_CREDENTIALS_FILE").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                user, sep, password = line.partition(":")
                if not sep or not user or not password:
                    break
                return user, password
        raise SeedError(f"HACIENDA_CREDENTIALS_FILE={self.credentials_file}: expected a USER:PASSWORD line")


def from_environment() -> SeedEnv:
    env = os.environ
    layout = Layout.from_environment()
    settings_file = Path(env.get("STACK_SETTINGS") or layout.settings_file)
    from einvoice_stack.layout import stackconf

    try:
        settings = stackconf.load(settings_file)
    except stackconf.SettingsError as exc:
        raise SeedError(str(exc)) from None
    ports, hosts = settings["ports"], settings["hosts"]
    nginx = settings["nginx"]["listen"]
    environment = env.get("HACIENDA_ENVIRONMENT") or settings["hacienda"]["environment"]
    if environment not in ("simulator", "sandbox", "production"):
        raise SeedError(f"HACIENDA_ENVIRONMENT={environment!r}: expected simulator, sandbox or production")
    summary = env.get("STACK_SEED_SUMMARY")
    test_pki_dir = env.get("TEST_PKI_DIR")
    return SeedEnv(
        settings=settings,
        stack_url=(env.get("STACK_URL") or f"http://{nginx['addr']}:{nginx['port']}").rstrip("/"),
        odoo_url=(env.get("ODOO_URL") or f"http://{hosts['odoo']}:{ports['odoo']}").rstrip("/"),
        database=env.get("ODOO_DB") or settings["stack"]["database"],
        admin_login=env.get("ODOO_ADMIN_LOGIN") or settings["stack"]["admin_login"],
        admin_password_file=Path(env.get("ODOO_ADMIN_PASSWORD_FILE") or layout.secret("odoo-admin-password")),
        environment=environment,
        simulator_url=(env.get("HACIENDA_SIMULATOR_URL") or settings["simulator"]["url"]).rstrip("/"),
        credentials_file=Path(env.get("HACIENDA_CREDENTIALS_FILE") or layout.secret("hacienda-credentials")),
        certificate_file=Path(env.get("CERTIFICATE_FILE") or layout.certificate),
        certificate_pin_file=Path(env.get("CERTIFICATE_PIN_FILE") or layout.secret("certificate-pin")),
        summary_file=Path(summary) if summary else None,
        test_pki_dir=Path(test_pki_dir) if test_pki_dir else None,
        simulator_control_token_file=Path(env.get("SIMULATOR_CONTROL_TOKEN_FILE")
                                          or layout.secret(secrets_store.SIMULATOR_CONTROL_TOKEN)),
    )
