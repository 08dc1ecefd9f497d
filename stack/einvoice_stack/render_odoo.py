"""Odoo's configuration file, for both deployments.

The plain host renders odoo.conf from the resolved settings (stackconf's `odoo.options`)
plus its paths and secrets (`render`). The NixOS module has upstream's services.odoo write
the same options to a store file, which must not hold secrets; its unit completes that file
at every start into /run/odoo/odoo.cfg (`complete`, this module's command line):

    python -m einvoice_stack.render_odoo --base STORE_CFG --output /run/odoo/odoo.cfg \
        [--secret KEY=FILE ...] [--set KEY=VALUE ...] [--redis-password-file FILE]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from einvoice_stack import stackconf, test_pki
from einvoice_stack.layout import Layout
from einvoice_stack.secrets_store import SecretFileError, read_file

# Read by the l10n_cr_einvoice addon (its token cache and sending locks).
REDIS_URL_KEY = "l10n_cr_einvoice_redis_url"


def _value(value) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def render(settings: dict, layout: Layout, *, admin_passwd: str, db_password: str,
           schema_dir: str) -> str:
    options = dict(settings["odoo"]["options"])
    options.update(
        {
            "addons_path": ",".join(str(p) for p in layout.addons_path()),
            "data_dir": str(layout.odoo_data),
            "admin_passwd": admin_passwd,
            "db_password": db_password,
            # Read by the l10n_cr_einvoice addon.
            "l10n_cr_einvoice_schema_dir": schema_dir,
            "l10n_cr_einvoice_metrics_token_file": str(layout.secret("metrics-token")),
        }
    )
    # the certificates signatures are checked against (stackconf.pki_options says which)
    options.update(stackconf.fill_paths(settings["odoo"]["pki_options"][settings["hacienda"]["environment"]], {
        "national_pki": layout.pki,
        "test_ca": layout.test_pki / test_pki.CA_CERT,
        "simulator_certificate": layout.test_pki / test_pki.SEAL_CERT,
    }))
    lines = [
        "; Rendered by scripts/stack from stack/settings.toml -- edit that file, not this one.",
        "[options]",
    ]
    lines += [f"{key} = {_value(options[key])}" for key in sorted(options)]
    return "\n".join(lines) + "\n"


def redis_url_with_password(url: str, password: str) -> str:
    """`redis://:PASSWORD@host:port/db`: the standard form (redis-py's from_url reads it, and
    the library's log redaction knows it), the password percent-encoded."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError(f"{REDIS_URL_KEY}: not a redis:// URL: {url!r}")
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f":{quote(password, safe='')}@{host}", parts.path, parts.query, parts.fragment))


def complete(base: str, values: dict[str, str]) -> str:
    """`base` (an odoo.cfg) with these keys of [options] set: replaced where present
    (`key = value` or `key=value`), added otherwise. Other sections are kept as they are."""
    lines, section, seen = [], None, set()
    for line in base.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip()
        elif section == "options" and "=" in stripped and not stripped.startswith((";", "#")):
            key = stripped.split("=", 1)[0].strip()
            if key in values:
                line = f"{key} = {values[key]}"
                seen.add(key)
        lines.append(line)
    missing = [key for key in values if key not in seen]
    if missing:
        if "[options]" not in (line.strip() for line in lines):
            lines.insert(0, "[options]")
        at = [line.strip() for line in lines].index("[options]") + 1
        lines[at:at] = [f"{key} = {values[key]}" for key in missing]
    return "\n".join(lines) + "\n"


def _read_secret(path: str, what: str) -> str:
    try:
        value = read_file(Path(path), f"{what} {path}")
    except SecretFileError as exc:
        raise SystemExit(f"render_odoo: {exc}") from None
    if "\n" in value:
        raise SystemExit(f"render_odoo: {what} {path}: expected one line")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Complete an odoo.cfg with secrets read from files.")
    parser.add_argument("--base", required=True, help="the odoo.cfg without secrets (the Nix store's)")
    parser.add_argument("--output", required=True, type=Path, help="where to write it (mode 0600)")
    parser.add_argument("--secret", action="append", default=[], metavar="KEY=FILE",
                        help="set KEY to the content of FILE (one line)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="set KEY to VALUE")
    parser.add_argument("--redis-password-file", help=f"put this password into {REDIS_URL_KEY}")
    args = parser.parse_args(argv)
    base = Path(args.base).read_text(encoding="utf-8")
    values = {}
    for item in args.set:
        key, _, value = item.partition("=")
        values[key.strip()] = value
    for item in args.secret:
        key, _, path = item.partition("=")
        values[key.strip()] = _read_secret(path, key.strip())
    if args.redis_password_file:
        current = next((line.split("=", 1)[1].strip() for line in base.splitlines()
                        if line.split("=", 1)[0].strip() == REDIS_URL_KEY and "=" in line), None)
        if not current:
            raise SystemExit(f"render_odoo: --redis-password-file, but {args.base} has no {REDIS_URL_KEY}")
        values[REDIS_URL_KEY] = redis_url_with_password(
            current, _read_secret(args.redis_password_file, "redis password"))
    tmp = args.output.with_name(f".{args.output.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(complete(base, values))
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
