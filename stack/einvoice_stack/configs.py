"""Render every config file into STACK_HOME/etc; write only what differs."""

from __future__ import annotations

import os
from pathlib import Path

from einvoice_stack import render_monitoring, render_nginx, render_odoo, render_services, secrets_store
from einvoice_stack.layout import RUNTIME_USER, Layout
from einvoice_stack.programs import Program, render_supervisor
from einvoice_stack.runtime_user import chown

# Files holding secrets (admin_passwd, db_password): owner-only.
PRIVATE = {"odoo.conf"}


def rendered(settings: dict, layout: Layout, progs: list[Program]) -> dict[str, str]:
    """Relative path under etc/ -> content."""
    read = lambda name: secrets_store.read_secret(layout, name)  # noqa: E731
    files = {
        "odoo.conf": render_odoo.render(
            settings, layout,
            admin_passwd=read(secrets_store.ODOO_MASTER_PASSWORD),
            db_password=read(secrets_store.DB_PASSWORD),
            schema_dir=str(layout.xsd),
        ),
        "nginx.conf": render_nginx.render(settings, layout),
        "prometheus.yml": render_monitoring.render_prometheus(settings, layout),
        "redis.conf": render_services.render_redis(settings, layout),
        "postgresql/stack.conf": render_services.render_postgresql(settings, layout),
        "postgresql/pg_hba.conf": render_services.render_pg_hba(settings),
        "postgresql/pg_ident.conf": render_services.render_pg_ident(settings, RUNTIME_USER),
        "supervisord.conf": render_supervisor(settings, layout, progs),
    }
    if render_monitoring.grafana_binary():
        files["grafana.ini"] = render_monitoring.render_grafana_ini(
            settings, layout,
            admin_password_file=str(layout.secret(secrets_store.GRAFANA_ADMIN_PASSWORD)),
            secret_key_file=str(layout.secret(secrets_store.GRAFANA_SECRET_KEY)),
        )
        for rel, content in render_monitoring.render_grafana_provisioning(settings, layout).items():
            files[f"grafana/provisioning/{rel}"] = content
    return files


def write_all(settings: dict, layout: Layout, progs: list[Program]) -> list[str]:
    """Write the rendered files that changed; return their relative paths."""
    changed = []
    for rel, content in rendered(settings, layout, progs).items():
        path = layout.etc / rel
        if path.is_file() and path.read_text(encoding="utf-8") == content:
            continue
        _write(path, content, private=rel in PRIVATE, root=layout.etc)
        changed.append(rel)
    return changed


def _write(path: Path, content: str, *, private: bool, root: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in [path.parent, *path.parent.parents]:
        if parent == root.parent:
            break
        chown(parent)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o640)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(content)
    chown(tmp)
    os.replace(tmp, path)
