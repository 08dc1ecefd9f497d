"""Where the stack keeps its state: one directory, `STACK_HOME` (default <repo>/.var/stack).

Everything the stack creates lives below it -- the PostgreSQL cluster, Odoo's filestore,
Prometheus' TSDB, the simulator's SQLite file, generated secrets, rendered configs,
logs, the mail sink -- so `cleanup --remove-data` is one `rm -rf` and a clone never
mixes state with sources.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from einvoice_stack import stackconf

# The checkout this package runs from (stack/einvoice_stack/ -> the repository): the
# plain-host stack deploys the repository's addons, dashboards and settings.
REPO_ROOT = Path(__file__).resolve().parents[2]

# The account every service runs as; scripts/lib/common.sh names it the same way.
RUNTIME_USER = os.environ.get("L10N_CR_RUNTIME_USER", "odoo")
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


@dataclass(frozen=True)
class Layout:
    home: Path
    repo: Path
    venv: Path
    odoo_src: Path
    settings_file: Path

    @classmethod
    def from_environment(cls) -> Layout:
        home = Path(os.environ.get("STACK_HOME") or REPO_ROOT / ".var" / "stack")
        return cls(
            home=home.absolute(),
            repo=REPO_ROOT,
            venv=Path(os.environ.get("VENV") or REPO_ROOT / ".venv").absolute(),
            odoo_src=Path(os.environ.get("ODOO_SRC") or "/opt/odoo19").absolute(),
            settings_file=Path(os.environ.get("STACK_SETTINGS") or stackconf.DEFAULT_SETTINGS).absolute(),
        )

    def load_settings(self) -> dict:
        return stackconf.load(self.settings_file)

    # --- directories -------------------------------------------------------------
    @property
    def etc(self) -> Path:
        return self.home / "etc"

    @property
    def secrets(self) -> Path:
        return self.home / "secrets"

    @property
    def run(self) -> Path:
        return self.home / "run"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def pgdata(self) -> Path:
        return self.home / "postgresql"

    @property
    def odoo_data(self) -> Path:
        return self.home / "odoo"

    def filestore(self, database: str) -> Path:
        return self.odoo_data / "filestore" / database

    @property
    def redis_data(self) -> Path:
        return self.home / "redis"

    @property
    def prometheus_data(self) -> Path:
        return self.home / "prometheus"

    @property
    def grafana_data(self) -> Path:
        return self.home / "grafana"

    @property
    def simulator_db(self) -> Path:
        return self.home / "simulator" / "hacienda-simulator.sqlite3"

    @property
    def maildir(self) -> Path:
        return self.home / "mail"

    @property
    def nginx_temp(self) -> Path:
        return self.home / "nginx"

    @property
    def xsd(self) -> Path:
        return self.home / "xsd"

    @property
    def pki(self) -> Path:
        """Costa Rica's national PKI certificates (einvoice_stack.pki_dir)."""
        return self.home / "pki"

    @property
    def test_pki(self) -> Path:
        """The stack's own test CA and the simulator's sealing key (einvoice_stack.test_pki)."""
        return self.home / "test-pki"

    @property
    def backups(self) -> Path:
        return self.home / "backups"

    @property
    def certificate(self) -> Path:
        return self.secrets / "hacienda-certificate.p12"

    @property
    def supervisor_socket(self) -> Path:
        return self.run / "supervisor.sock"

    @property
    def supervisor_conf(self) -> Path:
        return self.etc / "supervisord.conf"

    def state_dirs(self) -> list[Path]:
        """Directories owned by the runtime account (created by `up`)."""
        return [
            self.home, self.etc, self.run, self.logs, self.odoo_data, self.redis_data,
            self.prometheus_data, self.grafana_data, self.simulator_db.parent, self.maildir,
            self.nginx_temp, self.xsd, self.pki, self.backups,
        ]

    def secret(self, name: str) -> Path:
        return self.secrets / name

    # --- programs ------------------------------------------------------------------
    def venv_bin(self, name: str) -> Path:
        return self.venv / "bin" / name

    @property
    def python(self) -> Path:
        return self.venv_bin("python")

    @property
    def odoo_bin(self) -> Path:
        return self.odoo_src / "odoo-bin"

    def addons_path(self) -> list[Path]:
        paths = [self.odoo_src / "addons", self.odoo_src / "odoo" / "addons"]
        addon_dir = self.repo / "addon"
        # Odoo refuses an addons directory that holds no module.
        if any(p.joinpath("__manifest__.py").is_file() for p in addon_dir.glob("*")):
            paths.append(addon_dir)
        return paths
