"""The stack's programs as supervisord runs them: command, readiness check, start phase.

Every program runs as the runtime account (supervisord itself is started as that
account). Programs are not autostarted: `scripts/stack up` starts them phase by phase
and waits for each phase to be healthy, because Odoo must find its database ready and
nginx/Prometheus are useless before Odoo answers.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from einvoice_stack import render_monitoring, test_pki
from einvoice_stack.layout import PG_BIN, Layout
from einvoice_stack.render_nginx import status_socket

# Start order: data services, then Odoo, then what sits in front of or watches Odoo.
PHASES = ("data", "application", "edge")


@dataclass
class Program:
    name: str
    command: list[str]
    phase: str
    # What "healthy" means: ("http", url, expected substring) | ("tcp", host, port, banner)
    # | ("pg",) -- checked by einvoice_stack.health.
    health: tuple
    environment: dict[str, str] = field(default_factory=dict)
    stopsignal: str = "TERM"
    stopwaitsecs: int = 20
    # Config files whose change means a restart of this program...
    config_files: tuple[str, ...] = ()
    # ...or only a reload (SIGHUP), which keeps its connections.
    reload_files: tuple[str, ...] = ()
    # Secrets (names under STACK_HOME/secrets) read only at start: a new value, a restart.
    secret_files: tuple[str, ...] = ()
    description: str = ""


def _url(host: str, port: int, path: str = "") -> str:
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}{path}"


def programs(settings: dict, layout: Layout) -> list[Program]:
    ports, hosts = settings["ports"], settings["hosts"]
    venv = layout.venv / "bin"
    sim = settings["simulator"]
    progs = [
        Program(
            "postgresql",
            [str(PG_BIN / "postgres"), "-D", str(layout.pgdata)],
            "data",
            ("pg",),
            # SIGINT = fast shutdown: roll back open transactions, checkpoint, exit.
            stopsignal="INT",
            stopwaitsecs=60,
            config_files=("postgresql/stack.conf",),
            reload_files=("postgresql/pg_hba.conf", "postgresql/pg_ident.conf"),
            description=f"PostgreSQL 15 on {hosts['database']}:{ports['postgresql']}",
        ),
        Program(
            "redis",
            ["/usr/bin/redis-server", str(layout.etc / "redis.conf")],
            "data",
            ("tcp", hosts["redis"], ports["redis"], None),
            config_files=("redis.conf",),
            description=f"Redis on {hosts['redis']}:{ports['redis']}",
        ),
        Program(
            "smtp-sink",
            [str(venv / "python"), "-m", "einvoice_stack.smtp_sink", "--host", hosts["odoo"],
             "--port", str(ports["smtp_sink"]), "--maildir", str(layout.maildir)],
            "data",
            ("tcp", hosts["odoo"], ports["smtp_sink"], b"220"),
            description=f"SMTP sink on {hosts['odoo']}:{ports['smtp_sink']} -> {layout.maildir}",
        ),
        Program(
            "odoo",
            [str(venv / "python"), str(layout.odoo_bin), "--config", str(layout.etc / "odoo.conf")],
            "application",
            ("http", _url(hosts["odoo"], ports["odoo"], "/web/health"), '"pass"'),
            environment={"HACIENDA_XSD_DIR": str(layout.xsd)},
            stopwaitsecs=60,
            config_files=("odoo.conf",),
            description=f"Odoo on {hosts['odoo']}:{ports['odoo']} (websocket {ports['odoo_gevent']})",
        ),
        Program(
            "nginx",
            ["/usr/sbin/nginx", "-c", str(layout.etc / "nginx.conf"), "-e", str(layout.logs / "nginx-error.log"),
             "-g", "daemon off;"],
            "edge",
            ("http", _url(settings["nginx"]["listen"]["addr"], ports["nginx"], "/health"), "ok"),
            stopsignal="QUIT",
            reload_files=("nginx.conf",),
            description=f"nginx on {settings['nginx']['listen']['addr']}:{ports['nginx']}",
        ),
        Program(
            "prometheus",
            ["/usr/bin/prometheus", f"--config.file={layout.etc / 'prometheus.yml'}",
             f"--storage.tsdb.path={layout.prometheus_data}",
             f"--storage.tsdb.retention.time={settings['prometheus']['retention']}",
             f"--web.listen-address={hosts['monitoring']}:{ports['prometheus']}"],
            "edge",
            ("http", _url(hosts["monitoring"], ports["prometheus"], "/-/ready"), "Ready"),
            reload_files=("prometheus.yml",),
            description=f"Prometheus on {hosts['monitoring']}:{ports['prometheus']}",
        ),
    ]
    if settings["hacienda"]["environment"] == "simulator":
        progs.insert(3, Program(
            "simulator",
            [str(venv / "hacienda-cr"), "simulator", "--host", sim["listen"]["addr"],
             "--port", str(sim["listen"]["port"]), "--db", str(layout.simulator_db),
             "--users-file", str(layout.secret("hacienda-credentials")),
             "--processing-delay", str(sim["processing_delay"]), "--xsd-dir", str(layout.xsd),
             "--control-token-file", str(layout.secret("simulator-control-token")), "--access-log",
             # the key Odoo knows as Hacienda's (l10n_cr_einvoice_hacienda_certificates)
             "--signing-p12", str(layout.test_pki / test_pki.SEAL_P12),
             "--signing-pin-file", str(layout.test_pki / test_pki.SEAL_PIN)],
            "data",
            ("http", _url(sim["listen"]["addr"], sim["listen"]["port"], "/health"), None),
            environment={"HACIENDA_XSD_DIR": str(layout.xsd)},
            secret_files=("hacienda-credentials", "simulator-control-token"),
            description=f"Hacienda simulator on {sim['url']}",
        ))
    exporters = render_monitoring.available_exporters()
    if "exporter_node" in exporters:
        progs.append(Program(
            "node-exporter",
            [exporters["exporter_node"], f"--web.listen-address={hosts['proxy']}:{ports['exporter_node']}"],
            "edge",
            ("http", _url(hosts["proxy"], ports["exporter_node"], "/metrics"), "node_"),
            description="Prometheus node exporter",
        ))
    if "exporter_postgres" in exporters:
        db = settings["stack"]["db_user"]
        progs.append(Program(
            "postgres-exporter",
            [exporters["exporter_postgres"],
             f"--web.listen-address={hosts['database']}:{ports['exporter_postgres']}"],
            "edge",
            ("http", _url(hosts["database"], ports["exporter_postgres"], "/metrics"), "pg_up 1"),
            # Peer authentication on the socket as Odoo's role (member of pg_monitor).
            environment={"DATA_SOURCE_NAME":
                         f"host={layout.run} port={ports['postgresql']} user={db} dbname=postgres sslmode=disable"},
            description="Prometheus PostgreSQL exporter",
        ))
    if "exporter_redis" in exporters:
        progs.append(Program(
            "redis-exporter",
            [exporters["exporter_redis"], "-redis.addr", f"redis://{hosts['redis']}:{ports['redis']}",
             "-web.listen-address", f"{hosts['redis']}:{ports['exporter_redis']}"],
            "edge",
            ("http", _url(hosts["redis"], ports["exporter_redis"], "/metrics"), "redis_up 1"),
            description="Prometheus Redis exporter",
        ))
    if "exporter_nginx" in exporters:
        progs.append(Program(
            "nginx-exporter",
            [exporters["exporter_nginx"], "-nginx.scrape-uri", f"unix:{status_socket(layout)}:/stub_status",
             "-web.listen-address", f"{hosts['proxy']}:{ports['exporter_nginx']}",
             "-nginx.retries", "10", "-nginx.retry-interval", "1s"],
            "edge",
            ("http", _url(hosts["proxy"], ports["exporter_nginx"], "/metrics"), "nginx_up 1"),
            description="Prometheus nginx exporter",
        ))
    grafana = render_monitoring.grafana_binary()
    if grafana:
        progs.append(Program(
            "grafana",
            [grafana, "--homepath", "/usr/share/grafana", "--config", str(layout.etc / "grafana.ini")],
            "edge",
            ("http", _url(hosts["monitoring"], ports["grafana"], "/api/health"), "ok"),
            config_files=("grafana.ini",),
            description=f"Grafana on {hosts['monitoring']}:{ports['grafana']}",
        ))
    return progs


def render_supervisor(settings: dict, layout: Layout, progs: list[Program]) -> str:
    lines = [
        "; Rendered by scripts/stack from stack/settings.toml -- edit that file, not this one.",
        "[unix_http_server]",
        f"file = {layout.supervisor_socket}",
        "chmod = 0700",
        "[supervisord]",
        f"logfile = {layout.logs / 'supervisord.log'}",
        "logfile_maxbytes = 10MB",
        "logfile_backups = 3",
        f"pidfile = {layout.run / 'supervisord.pid'}",
        f"childlogdir = {layout.logs}",
        f"directory = {layout.home}",
        f"identifier = {settings['stack']['name']}",
        "umask = 027",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "[supervisorctl]",
        f"serverurl = unix://{layout.supervisor_socket}",
    ]
    for prog in progs:
        env = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": settings["stack"]["timezone"], **prog.environment}
        lines += [
            f"[program:{prog.name}]",
            f"command = {shlex.join(prog.command)}",
            f"directory = {layout.home}",
            "autostart = false",
            "autorestart = true",
            "startsecs = 1",
            "startretries = 3",
            f"stopsignal = {prog.stopsignal}",
            f"stopwaitsecs = {prog.stopwaitsecs}",
            # Odoo forks workers and wkhtmltopdf: stop the whole process group.
            "stopasgroup = true",
            "killasgroup = true",
            "redirect_stderr = true",
            f"stdout_logfile = {layout.logs / (prog.name + '.log')}",
            "stdout_logfile_maxbytes = 20MB",
            "stdout_logfile_backups = 5",
            # supervisord expands %(name)s in values: a literal % is written %%.
            "environment = " + ",".join(f'{k}="{v.replace("%", "%%")}"' for k, v in env.items()),
        ]
    return "\n".join(lines) + "\n"
