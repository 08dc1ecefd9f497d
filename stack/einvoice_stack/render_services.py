"""Configs of the data services: Redis, and PostgreSQL's settings include file."""

from __future__ import annotations

from einvoice_stack.layout import Layout


def render_redis(settings: dict, layout: Layout) -> str:
    redis = settings["redis"]
    return "\n".join(
        [
            "# Rendered by scripts/stack from stack/settings.toml -- edit that file, not this one.",
            f"bind {redis['listen']['addr']}",
            f"port {redis['listen']['port']}",
            "protected-mode yes",
            "daemonize no",
            'logfile ""',
            f"dir {layout.redis_data}",
            # A cache of tokens and short-lived locks, as in the NixOS deployment: nothing
            # in it survives a restart on purpose (a token is fetched again, locks expire).
            'save ""',
            "appendonly no",
            f"maxmemory {redis['maxmemory']}",
            f"maxmemory-policy {redis['maxmemory_policy']}",
            "",
        ]
    )


def render_postgresql(settings: dict, layout: Layout) -> str:
    pg = settings["postgresql"]
    return "\n".join(
        [
            "# Rendered by scripts/stack from stack/settings.toml -- edit that file, not this one.",
            f"port = {pg['listen']['port']}",
            f"listen_addresses = '{pg['listen']['addr']}'",
            f"unix_socket_directories = '{layout.run}'",
            "max_connections = 100",
            "shared_buffers = 256MB",
            # Odoo's queries are short: compiling them costs more than it saves, and a plan
            # estimated too high (a list's count over a long history) would pay ~0.5 s for it.
            "jit = off",
            "logging_collector = off",
            "log_line_prefix = '%m [%p] %q%u@%d '",
            f"timezone = '{settings['stack']['timezone']}'",
            "",
        ]
    )


# The cluster's superuser; Odoo's own role (settings' db_user) is not one.
PG_SUPERUSER = "postgres"


def render_pg_hba(settings: dict) -> str:
    db_user = settings["stack"]["db_user"]
    addr = settings["postgresql"]["listen"]["addr"]
    mask = "128" if ":" in addr else "32"
    return "\n".join(
        [
            "# Rendered by scripts/stack. The socket (in a 0700 directory) admits the runtime",
            "# account as the superuser or as Odoo's role (pg_ident map 'runtime'); TCP admits",
            "# Odoo's role with its password, to its database and to 'postgres' (Odoo's server",
            "# checks, e.g. /web/health?db_server_status=1, connect there).",
            "local all all peer map=runtime",
            f"host {settings['stack']['database']},postgres {db_user} {addr}/{mask} scram-sha-256",
            "",
        ]
    )


def render_pg_ident(settings: dict, runtime_user: str) -> str:
    return "\n".join(
        [
            "# Rendered by scripts/stack.",
            f"runtime {runtime_user} {PG_SUPERUSER}",
            f"runtime {runtime_user} {settings['stack']['db_user']}",
            "",
        ]
    )
