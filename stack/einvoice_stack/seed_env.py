"""The seeding inputs: the environment the NixOS hook passes (docs/nix.md, "Seeding
hook"), each defaulting to the local plain-host stack when absent."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from einvoice_stack import secrets_store, stack_env, stackconf
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
    """Where the stack is (einvoice_stack.stack_env: the rules the suites and benchmarks follow too),
    and what only the seed reads."""
    env = os.environ
    layout = Layout.from_environment()
    try:
        stack = stack_env.from_environment()
    except stackconf.SettingsError as exc:
        raise SeedError(str(exc)) from None
    settings = stack.settings
    environment = env.get("HACIENDA_ENVIRONMENT") or settings["hacienda"]["environment"]
    if environment not in ("simulator", "sandbox", "production"):
        raise SeedError(f"HACIENDA_ENVIRONMENT={environment!r}: expected simulator, sandbox or production")
    summary = env.get("STACK_SEED_SUMMARY")
    test_pki_dir = env.get("TEST_PKI_DIR")
    return SeedEnv(
        settings=settings,
        stack_url=stack.stack_url,
        odoo_url=stack.odoo_url,
        database=stack.database,
        admin_login=stack.admin_login,
        admin_password_file=stack.admin_password_file,
        environment=environment,
        simulator_url=stack.simulator_url,
        credentials_file=stack.credentials_file,
        certificate_file=Path(env.get("CERTIFICATE_FILE") or layout.certificate),
        certificate_pin_file=Path(env.get("CERTIFICATE_PIN_FILE") or layout.secret("certificate-pin")),
        summary_file=Path(summary) if summary else None,
        test_pki_dir=Path(test_pki_dir) if test_pki_dir else None,
        simulator_control_token_file=stack.simulator_control_token_file,
    )
