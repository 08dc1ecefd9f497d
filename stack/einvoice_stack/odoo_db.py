"""The staging database's Odoo side: modules installed, admin password, base URL.

Done with odoo-bin itself (`-i ... --stop-after-init`, `shell`) while the Odoo service is
stopped or not yet started, so the database never runs a moment with Odoo's default
`admin` password.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re

from einvoice_stack import postgres, secrets_store
from einvoice_stack.layout import Layout
from einvoice_stack.progress import StackError, log
from einvoice_stack.runtime_user import chown, run_as

LOG_PROBLEM = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ", re.MULTILINE)


def available_modules(layout: Layout, names: list[str]) -> tuple[list[str], list[str]]:
    """(found in the addons path, missing from this checkout)."""
    found, missing = [], []
    for name in names:
        if any((path / name / "__manifest__.py").is_file() for path in layout.addons_path()):
            found.append(name)
        else:
            missing.append(name)
    return found, missing


def manifest_version(layout: Layout, name: str) -> str | None:
    for path in layout.addons_path():
        manifest = path / name / "__manifest__.py"
        if manifest.is_file():
            return str(ast.literal_eval(manifest.read_text(encoding="utf-8")).get("version", ""))
    return None


def module_states(layout: Layout, settings: dict, names: list[str]) -> dict[str, tuple[str, str]]:
    """name -> (state, installed version) for the modules the database knows."""
    db = settings["stack"]["database"]
    has_table = postgres.psql(layout, settings, "SELECT to_regclass('ir_module_module') IS NOT NULL",
                              database=db)
    if has_table != "t":
        return {}
    rows = postgres.psql(
        layout, settings,
        "SELECT name, state, coalesce(latest_version, '') FROM ir_module_module "
        "WHERE name = ANY(string_to_array(:'names', ','))",
        database=db, variables={"names": ",".join(names)},
    )
    states = {}
    for row in rows.splitlines():
        name, state, version = row.split("|")
        states[name] = (state, version)
    return states


def _odoo(layout: Layout, args: list[str], *, logfile: str, input: str | None = None,
          timeout: float = 1800) -> None:
    log_path = layout.logs / logfile
    # odoo-bin appends: start each run with an empty log, so only this run is judged.
    log_path.write_text("", encoding="utf-8")
    chown(log_path)
    result = run_as([layout.python, layout.odoo_bin, *args, "--config", layout.etc / "odoo.conf",
                     "--no-http", f"--logfile={log_path}"],
                    env={"HACIENDA_XSD_DIR": str(layout.xsd)}, cwd=layout.home, input=input, capture=True,
                    timeout=timeout, check=False)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    problems = LOG_PROBLEM.findall(text)
    if result.returncode != 0 or problems:
        lines = text.splitlines()
        # The first ERROR/CRITICAL line and what follows it (usually the traceback's end).
        first = next((i for i, line in enumerate(lines) if LOG_PROBLEM.match(line + "\n")), None)
        excerpt = lines[first:first + 25] if first is not None else lines[-25:]
        extra = (result.stderr or "").strip().splitlines()[-5:]
        raise StackError(f"odoo-bin {' '.join(args[:3])} failed (exit {result.returncode}, "
                         f"{len(problems)} ERROR/CRITICAL line(s)); log {log_path}:\n"
                         + "\n".join(excerpt + extra))


def plan(layout: Layout, settings: dict, force_upgrade: list[str] | None = None) -> tuple[list[str], list[str]]:
    """(modules to install, modules to upgrade): the settings' modules not installed yet,
    and those whose manifest version moved since they were installed (or force_upgrade)."""
    wanted, _missing = available_modules(layout, settings["odoo"]["modules"])
    states = module_states(layout, settings, wanted)
    to_install = [m for m in wanted if states.get(m, ("", ""))[0] != "installed"]
    to_upgrade = [m for m in (force_upgrade or []) if m not in to_install]
    for name in wanted:
        if name in to_install or name in to_upgrade:
            continue
        version = manifest_version(layout, name)
        installed = states[name][1]
        # Odoo stores 19.0.x.y for a manifest's x.y.
        if version and installed and not installed.endswith(version):
            to_upgrade.append(name)
    return to_install, to_upgrade


# The company's country and currency must be Costa Rica's before `account` is installed:
# account then loads l10n_cr's chart (taxes with their Hacienda codes, CRC), not the
# generic one. What `odoo-bin db init --country CR` does, without a password on argv.
COUNTRY_SCRIPT = """
company = env.ref('base.main_company')
country = env.ref('base.cr')
country.currency_id.active = True
company.write({'country_id': country.id, 'currency_id': country.currency_id.id})
env['res.users'].with_context(active_test=False).search([]).write({'tz': %(tz)r})
env.cr.commit()
print('stack-country', company.country_id.code, company.currency_id.name)
"""


def country_script(settings: dict) -> str:
    """The `odoo shell` script that makes the main company Costa Rican (before `account`)."""
    return COUNTRY_SCRIPT % {"tz": settings["stack"]["timezone"]}


def _initialise_base(layout: Layout, settings: dict) -> None:
    db = settings["stack"]["database"]
    log(f"initialising {db} with base, company in Costa Rica (log {layout.logs / 'odoo-install.log'})")
    _odoo(layout, ["-d", db, "-i", "base", "--stop-after-init"], logfile="odoo-install.log")
    _odoo(layout, ["shell", "-d", db], logfile="odoo-country.log", input=country_script(settings), timeout=600)


def install_args(settings: dict, modules: list[str]) -> list[str]:
    """odoo-bin arguments installing ``modules`` with the users' language ([stack].lang) loaded,
    so the interface can be switched to it (the admin keeps Odoo's default)."""
    return ["-i", ",".join(modules), f"--load-language={settings['stack']['lang']}", "--stop-after-init"]


def apply(layout: Layout, settings: dict, to_install: list[str], to_upgrade: list[str]) -> list[str]:
    """Run odoo-bin -i / -u (Odoo's service must be stopped). Returns what was done."""
    db = settings["stack"]["database"]
    done = []
    if to_install and not module_states(layout, settings, ["base"]):
        _initialise_base(layout, settings)
        done.append("initialised base (Costa Rica company)")
    # Separate runs: '-i' and '-u' in one run would also upgrade what '-i' pulls in.
    if to_install:
        log(f"installing {', '.join(to_install)} into {db} (log {layout.logs / 'odoo-modules.log'})")
        _odoo(layout, ["-d", db, *install_args(settings, to_install)], logfile="odoo-modules.log")
        done.append("installed " + ", ".join(to_install))
    if to_upgrade:
        log(f"upgrading {', '.join(to_upgrade)} in {db} (log {layout.logs / 'odoo-upgrade.log'})")
        _odoo(layout, ["-d", db, "-u", ",".join(to_upgrade), "--stop-after-init"], logfile="odoo-upgrade.log")
        done.append("upgraded " + ", ".join(to_upgrade))
    return done


SHELL_SCRIPT = """
import json, sys
spec = json.loads(sys.stdin.readline())
admin = env.ref('base.user_admin')
admin.write({'login': spec['login'], 'password': spec['password'], 'tz': spec['tz']})
params = env['ir.config_parameter'].sudo()
params.set_param('web.base.url', spec['base_url'])
params.set_param('web.base.url.freeze', 'True')
# wkhtmltopdf fetches the report's CSS from Odoo directly, not through nginx.
params.set_param('report.url', spec['report_url'])
env.cr.commit()
print('stack-configured', admin.login)
"""


def configure_spec(settings: dict, admin_password: str) -> dict:
    """What configure() applies: admin login/password/timezone and the base URLs."""
    ports, hosts = settings["ports"], settings["hosts"]
    return {
        "login": settings["stack"]["admin_login"],
        "password": admin_password,
        "tz": settings["stack"]["timezone"],
        "base_url": f"http://{settings['nginx']['server_name']}:{ports['nginx']}",
        "report_url": f"http://{hosts['odoo']}:{ports['odoo']}",
    }


def configure_script(spec: dict) -> str:
    """The `odoo shell` script applying ``spec`` (odoo shell reads all of stdin as the script,
    so the spec is written into it)."""
    return SHELL_SCRIPT.replace("json.loads(sys.stdin.readline())", f"json.loads({json.dumps(json.dumps(spec))})")


def configure_fingerprint(spec: dict, database: str) -> str:
    return hashlib.sha256(json.dumps([spec, database], sort_keys=True).encode()).hexdigest()


def configure(layout: Layout, settings: dict, admin_password: str) -> bool:
    """Apply configure_spec(); skipped when already applied (a fingerprint of the inputs is
    kept in STACK_HOME/etc/odoo-configured.sha256)."""
    spec = configure_spec(settings, admin_password)
    fingerprint = configure_fingerprint(spec, settings["stack"]["database"])
    stamp = layout.etc / "odoo-configured.sha256"
    if stamp.is_file() and stamp.read_text().strip() == fingerprint:
        return False
    _odoo(layout, ["shell", "-d", settings["stack"]["database"]], logfile="odoo-configure.log",
          input=configure_script(spec), timeout=600)
    secrets_store.write_private(stamp, (fingerprint + "\n").encode())
    return True
