"""The stack's own PostgreSQL 15 cluster in STACK_HOME/postgresql, owned by the runtime account."""

from __future__ import annotations

import os

from einvoice_stack.layout import PG_BIN, Layout
from einvoice_stack.progress import StackError
from einvoice_stack.render_services import PG_SUPERUSER
from einvoice_stack.runtime_user import run_as

INCLUDE_LINE = "include_if_exists = '{}'"
# Extensions of the staging database, created as Odoo's role (as Odoo itself does when it
# creates a database): without pg_trgm, Odoo silently skips every trigram index.
EXTENSIONS = ("pg_trgm",)


def initialise(layout: Layout) -> bool:
    """initdb once; point postgresql.conf at the rendered settings. True if created."""
    if (layout.pgdata / "PG_VERSION").is_file():
        return False
    layout.pgdata.mkdir(mode=0o700, exist_ok=True)
    from einvoice_stack.runtime_user import chown

    chown(layout.pgdata)
    run_as([PG_BIN / "initdb", "-D", layout.pgdata, "-U", PG_SUPERUSER, "-E", "UTF8",
            "--locale=C.UTF-8", "--auth-local=peer", "--auth-host=scram-sha-256"], capture=True)
    conf = layout.pgdata / "postgresql.conf"
    with conf.open("a", encoding="utf-8") as fh:
        fh.write("\n# scripts/stack: everything else comes from the rendered file below.\n")
        fh.write(INCLUDE_LINE.format(layout.etc / "postgresql" / "stack.conf") + "\n")
        fh.write(f"hba_file = '{layout.etc / 'postgresql' / 'pg_hba.conf'}'\n")
        fh.write(f"ident_file = '{layout.etc / 'postgresql' / 'pg_ident.conf'}'\n")
    return True


def psql_variable(name: str, value: str) -> str:
    """A psql `\\set` line giving `name` this exact value (single-quoted: quotes doubled,
    backslashes escaped, as psql reads meta-command arguments)."""
    if not name.isidentifier():
        raise ValueError(f"not a psql variable name: {name!r}")
    if "\n" in value or "\r" in value:
        raise StackError(f"psql variable {name}: a value cannot span lines")
    return "\\set " + name + " '" + value.replace("\\", "\\\\").replace("'", "''") + "'\n"


def psql(layout: Layout, settings: dict, sql: str, *, database: str = "postgres",
         user: str = PG_SUPERUSER, variables: dict[str, str] | None = None) -> str:
    """Run SQL as `user` over the stack's socket. Variables (used as :'name' / :"name") go
    to psql on standard input with the SQL, never on its command line: /proc/PID/cmdline
    is readable by every account of the host, and a password is one of them."""
    argv = [PG_BIN / "psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", layout.run,
            "-p", str(settings["ports"]["postgresql"]), "-U", user, "-d", database]
    script = "".join(psql_variable(name, value) for name, value in (variables or {}).items()) + sql
    return run_as(argv, input=script, capture=True).stdout.strip()


def database_exists(layout: Layout, settings: dict, name: str) -> bool:
    return psql(layout, settings, "SELECT 1 FROM pg_database WHERE datname = :'db'",
                variables={"db": name}) == "1"


def password_works(settings: dict, password: str) -> bool:
    """Can Odoo's role log in over TCP with this password (as Odoo does)?"""
    stack = settings["stack"]
    result = run_as([PG_BIN / "psql", "-X", "-tA", "-h", settings["postgresql"]["listen"]["addr"],
                     "-p", str(settings["ports"]["postgresql"]), "-U", stack["db_user"],
                     "-d", stack["database"], "-c", "SELECT 1"],
                    env={"PGPASSWORD": password, "PGCONNECT_TIMEOUT": "5"}, check=False, capture=True)
    return result.returncode == 0 and result.stdout.strip() == "1"


def ensure_role_and_database(layout: Layout, settings: dict, password: str) -> list[str]:
    """Odoo's role (not a superuser, member of pg_monitor for the exporter) and the
    staging database it owns. Returns what changed."""
    stack = settings["stack"]
    role, db = stack["db_user"], stack["database"]
    changed = []
    exists = psql(layout, settings, "SELECT 1 FROM pg_roles WHERE rolname = :'role'",
                  variables={"role": role}) == "1"
    if not exists:
        psql(layout, settings, 'CREATE ROLE :"role" LOGIN NOSUPERUSER NOCREATEROLE', variables={"role": role})
        psql(layout, settings, 'GRANT pg_monitor TO :"role"', variables={"role": role})
        changed.append(f"role {role}")
    if not database_exists(layout, settings, db):
        psql(layout, settings,
             "CREATE DATABASE :\"db\" OWNER :\"role\" ENCODING 'UTF8' TEMPLATE template0",
             variables={"db": db, "role": role})
        changed.append(f"database {db}")
    changed += ensure_extensions(layout, settings, db, role)
    if not password_works(settings, password):
        psql(layout, settings, 'ALTER ROLE :"role" PASSWORD :\'pw\'', variables={"role": role, "pw": password})
        if not password_works(settings, password):
            raise StackError(f"role {role} cannot log in over TCP even after setting its password "
                             f"(check {layout.etc / 'postgresql' / 'pg_hba.conf'})")
        changed.append(f"password of {role}")
    return changed


def ensure_extensions(layout: Layout, settings: dict, db: str, role: str) -> list[str]:
    """EXTENSIONS in ``db``, owned by ``role`` (trusted extensions: no superuser needed to
    restore a dump of them). Returns those created."""
    created = []
    for name in EXTENSIONS:
        if psql(layout, settings, "SELECT 1 FROM pg_extension WHERE extname = :'ext'", database=db,
                variables={"ext": name}) != "1":
            psql(layout, settings, 'SET ROLE :"role"; CREATE EXTENSION IF NOT EXISTS :"ext"', database=db,
                 variables={"role": role, "ext": name})
            created.append(f"extension {name}")
    return created


def dump(layout: Layout, settings: dict, target: os.PathLike) -> None:
    run_as([PG_BIN / "pg_dump", "-h", layout.run, "-p", str(settings["ports"]["postgresql"]),
            "-U", PG_SUPERUSER, "-Fc", "--no-owner", "-f", target, settings["stack"]["database"]],
           capture=True)


def restore(layout: Layout, settings: dict, source: os.PathLike) -> None:
    stack = settings["stack"]
    db, role = stack["database"], stack["db_user"]
    psql(layout, settings, 'DROP DATABASE IF EXISTS :"db" WITH (FORCE)', variables={"db": db})
    psql(layout, settings, "CREATE DATABASE :\"db\" OWNER :\"role\" ENCODING 'UTF8' TEMPLATE template0",
         variables={"db": db, "role": role})
    ensure_extensions(layout, settings, db, role)  # a dump made before they existed restores with them
    # --role: every object is created as (and so owned by) Odoo's role.
    run_as([PG_BIN / "pg_restore", "-h", layout.run, "-p", str(settings["ports"]["postgresql"]),
            "-U", PG_SUPERUSER, "--role", role, "--no-owner", "--exit-on-error", "-d", db, source],
           capture=True)
