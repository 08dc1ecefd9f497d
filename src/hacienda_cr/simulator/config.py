"""The simulator's settings: users, delays, faults, schemas — from a file and the command line.

Users come from ``--user USERNAME:PASSWORD`` (repeatable), ``--users-file FILE`` (one
``USERNAME:PASSWORD`` a line; ``#`` comments) and the config file's ``[[users]]``. The
taxpayer a user may act for is read from Hacienda's username pattern —
``cpj-3-101-123456@…`` is the cédula jurídica 3101123456, ``cpf-01-0234-0567@…`` the cédula
física 102340567 — unless the config file lists ``taxpayers`` explicitly.

Config file (TOML or JSON), every key optional::

    host = "127.0.0.1"
    port = 8090
    db = "/var/lib/hacienda-simulator/state.sqlite3"
    xsd_dir = "/path/to/xsd"          # holding v4.4/ and v4.4-2026/
    schema_set = "v4.4-2026"          # default: detect from each document
    processing_delay = 2.0            # seconds from recibido to the final state
    status_visible_after = 0.0        # 404 for this long after a 202, like Hacienda at times
    token_ttl = 300
    refresh_token_ttl = 36000
    seed = 42
    sandbox_notice = true             # DetalleMensaje starts with the no-tax-validity notice
    trusted_ca_files = ["ca.pem"]     # signatures must chain to these (default: any certificate)
    signing_p12 = "seal.p12"          # seal answers with this key (default: made on first start)
    signing_pin_file = "seal.pin"     # its PIN (first line)
    callback_attempts = 5
    users_file = "users.txt"
    public_data = "public-data.json"  # data set of the public data services (public_data.py)
    cabys_file = "cabys.csv"          # the CABYS catalogue: codigo, descripcion, impuesto

    [[users]]
    username = "cpj-3-101-123456@stag.comprobanteselectronicos.go.cr"
    password = "…"
    taxpayers = ["02-3101123456"]     # optional
    name = "Empresa Demo S.A."        # optional, used in MensajeHacienda

    [faults]
    reset_after = 0.03
    latency = { probability = 0.1, min = 0.01, max = 0.05 }
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from hacienda_cr.errors import ConfigurationError, InputError
from hacienda_cr.simulator.faults import Fault, parse_table

REALMS = {"rut-stag": "api-stag", "rut": "api-prod"}

_CPJ = re.compile(r"cpj-(\d)-(\d{3})-(\d{6})@", re.IGNORECASE)
_CPF = re.compile(r"cpf-0?([1-9])-(\d{4})-(\d{4})@", re.IGNORECASE)


@dataclass(frozen=True)
class User:
    username: str
    password: str = field(repr=False)
    taxpayers: frozenset[tuple[str, str]] = frozenset()
    name: str | None = None

    def may_act_for(self, id_type: str, number: str) -> bool:
        return (id_type, number) in self.taxpayers


@dataclass
class SimulatorConfig:
    host: str = "127.0.0.1"
    port: int = 8090
    db: Path = Path("hacienda-simulator.sqlite3")
    users: list[User] = field(default_factory=list)
    xsd_dir: Path | None = None
    schema_set: str | None = None
    processing_delay: float = 2.0
    status_visible_after: float = 0.0
    token_ttl: float = 300.0
    refresh_token_ttl: float = 36000.0
    realms: dict[str, str] = field(default_factory=lambda: dict(REALMS))
    faults: dict[str, Fault] = field(default_factory=dict)
    seed: int | None = None
    sandbox_notice: bool = True
    trusted_ca_files: list[Path] = field(default_factory=list)
    # The key and certificate MensajeHacienda answers are sealed with: a PKCS#12 and the file
    # holding its PIN. A deployment that must tell its clients which certificate "Hacienda"
    # signs with makes them beforehand; None: a key made on first start, kept beside the db.
    signing_p12: Path | None = None
    signing_pin_file: Path | None = None
    callback_attempts: int = 5
    callback_timeout: float = 5.0
    max_body_bytes: int = 10 * 1024 * 1024
    access_log: bool = False
    # When set, /_simulator/* (faults, stats, certificate, token revocation) answers only
    # requests with "Authorization: Bearer <token>": a deployed simulator is reachable by
    # other machines, and its faults change what every client sees. None (tests): open.
    control_token: str | None = field(default=None, repr=False)
    public_data: Path | None = None  # merged into the stored data set at start
    cabys_file: Path | None = None

    def check(self) -> None:
        problems = []
        if not self.users:
            problems.append("no users: give --user USERNAME:PASSWORD, --users-file FILE or [[users]] in --config")
        names = [u.username for u in self.users]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            problems.append(f"user(s) given twice: {', '.join(dupes)}")
        for key in ("processing_delay", "status_visible_after"):
            if getattr(self, key) < 0:
                problems.append(f"{key} must not be negative")
        if self.token_ttl <= 0 or self.refresh_token_ttl <= 0:
            problems.append("token_ttl and refresh_token_ttl must be positive")
        if not 0 <= self.port <= 65535:
            problems.append(f"port {self.port} is not a TCP port")
        if self.control_token is not None and not self.control_token.strip():
            problems.append("the control token is empty")
        if (self.signing_p12 is None) != (self.signing_pin_file is None):
            problems.append("signing_p12 and signing_pin_file go together")
        if self.schema_set is not None:
            from hacienda_cr.documents import SCHEMA_SETS

            if self.schema_set not in SCHEMA_SETS:
                problems.append(f"schema_set {self.schema_set!r} is not one of {', '.join(SCHEMA_SETS)}")
        if problems:
            raise ConfigurationError("; ".join(problems))


def taxpayer_from_username(username: str) -> tuple[str, str] | None:
    """The taxpayer Hacienda's API username belongs to, or None if it has no known pattern."""
    m = _CPJ.match(username)
    if m:
        return "02", "".join(m.groups())
    m = _CPF.match(username)
    if m:
        return "01", "".join(m.groups())
    return None


def parse_taxpayer(value: object, where: str) -> tuple[str, str]:
    """``"02-3101123456"`` or ``{"type": "02", "number": "3101123456"}``."""
    from hacienda_cr.signing.taxpayer_ids import validate_taxpayer_id

    if isinstance(value, dict):
        id_type, number = value.get("type"), value.get("number")
    elif isinstance(value, str) and "-" in value:
        id_type, number = value.split("-", 1)
    else:
        raise ConfigurationError(f"{where}: {value!r} should look like \"02-3101123456\" (type-number)")
    try:
        return validate_taxpayer_id(id_type, number)
    except InputError as exc:
        raise ConfigurationError(f"{where}: {exc}") from None


def make_user(username: str, password: str, where: str, taxpayers=None, name: str | None = None) -> User:
    username = username.strip()
    if not username or not password:
        raise ConfigurationError(f"{where}: both a username and a password are required")
    if taxpayers:
        if not isinstance(taxpayers, list):
            raise ConfigurationError(f"{where}: taxpayers must be a list such as [\"02-3101123456\"]")
        ids = frozenset(parse_taxpayer(t, f"{where}.taxpayers[{i}]") for i, t in enumerate(taxpayers))
    else:
        derived = taxpayer_from_username(username)
        if derived is None:
            raise ConfigurationError(
                f"{where}: cannot tell which taxpayer {username!r} acts for (Hacienda usernames look like "
                "cpj-3-101-123456@… or cpf-01-0234-0567@…); list its taxpayers in the config file"
            )
        ids = frozenset([derived])
    return User(username, password, ids, name)


def parse_user_arg(text: str, where: str = "--user") -> User:
    username, sep, password = text.partition(":")
    if not sep:
        raise ConfigurationError(f"{where}: {text.split(':')[0]!r} has no password; write USERNAME:PASSWORD")
    return make_user(username, password, where)


def read_users_file(path: Path) -> list[User]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigurationError(f"users file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"users file {path}: not UTF-8 text") from None
    users = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        users.append(parse_user_arg(line, f"{path}:{number}"))
    return users


def _read_table(path: Path) -> dict:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"config file {path}: {exc.strerror or exc}") from None
    if Path(path).suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise ConfigurationError(f"config file {path}: not valid JSON ({exc})") from None
    else:
        try:
            import tomllib
        except ImportError:  # Python 3.10
            raise ConfigurationError(f"config file {path}: TOML needs Python 3.11+; write it as .json") from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"config file {path}: not valid TOML ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"config file {path}: expected a table of settings")
    return data


_SCALARS = {
    "host": str,
    "port": int,
    "schema_set": str,
    "processing_delay": float,
    "status_visible_after": float,
    "token_ttl": float,
    "refresh_token_ttl": float,
    "seed": int,
    "sandbox_notice": bool,
    "callback_attempts": int,
    "callback_timeout": float,
    "max_body_bytes": int,
    "access_log": bool,
}
_PATHS = ("db", "xsd_dir", "signing_p12", "signing_pin_file", "public_data", "cabys_file")


def load_config_file(path: Path, config: SimulatorConfig | None = None) -> SimulatorConfig:
    """Apply a config file's settings onto ``config`` (relative paths: from the file's folder)."""
    config = config or SimulatorConfig()
    data = _read_table(path)
    base = Path(path).resolve().parent
    where = str(path)
    known = {*_SCALARS, *_PATHS, "users", "users_file", "faults", "trusted_ca_files", "realms"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigurationError(f"config file {where}: unknown setting(s) {', '.join(unknown)}")
    for key, kind in _SCALARS.items():
        if key in data:
            value = data[key]
            ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value, ok = float(value), True
            if not ok:
                raise ConfigurationError(f"config file {where}: {key} must be a {kind.__name__}, got {value!r}")
            setattr(config, key, value)
    for key in _PATHS:
        if key in data:
            setattr(config, key, base / str(data[key]))
    if "trusted_ca_files" in data:
        config.trusted_ca_files = [base / str(p) for p in data["trusted_ca_files"]]
    if "realms" in data:
        if not isinstance(data["realms"], dict):
            raise ConfigurationError(f"config file {where}: realms must map realm names to client ids")
        config.realms = {str(k): str(v) for k, v in data["realms"].items()}
    if "faults" in data:
        config.faults = parse_table(data["faults"], f"{where}: faults")
    if "users_file" in data:
        config.users.extend(read_users_file(base / str(data["users_file"])))
    for i, entry in enumerate(data.get("users") or []):
        at = f"{where}: users[{i}]"
        if not isinstance(entry, dict):
            raise ConfigurationError(f"{at}: expected a table with username and password")
        extra = set(entry) - {"username", "password", "taxpayers", "name"}
        if extra:
            raise ConfigurationError(f"{at}: unknown key(s) {', '.join(sorted(extra))}")
        config.users.append(
            make_user(str(entry.get("username", "")), str(entry.get("password", "")), at, entry.get("taxpayers"), entry.get("name"))
        )
    return config
