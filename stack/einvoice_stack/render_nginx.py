"""nginx.conf for the stack's own nginx master (not the system's /etc/nginx site).

Every route comes from the resolved `[[nginx.locations]]`; this module only decides how
each action is written in nginx syntax. The stub_status page for the nginx exporter is
served on a unix socket inside STACK_HOME/run, so it is reachable neither through the
public port nor on any TCP port.
"""

from __future__ import annotations

from einvoice_stack.layout import Layout

PROXY_HEADERS = (
    "proxy_set_header Host $host;",
    "proxy_set_header X-Real-IP $remote_addr;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_set_header X-Forwarded-Proto $scheme;",
    "proxy_set_header X-Forwarded-Host $host;",
)


def status_socket(layout: Layout) -> str:
    return str(layout.run / "nginx-status.sock")


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _security_headers(headers: dict[str, str], indent: str) -> list[str]:
    # `always`: error pages and nginx's own answers (deny, health) carry them too.
    return [f"{indent}add_header {name} {_quote(value)} always;" for name, value in headers.items()]


def _hide_upstream_headers(headers: dict[str, str], indent: str) -> list[str]:
    # Odoo sets some of them itself (X-Frame-Options): one value each, ours.
    return [f"{indent}proxy_hide_header {name};" for name in headers]


def _location(loc: dict, headers: dict[str, str]) -> list[str]:
    body: list[str] = []
    action = loc["action"]
    if action in ("proxy", "websocket", "static"):
        body.append(f"proxy_pass {loc['proxy_pass']};")
        body += PROXY_HEADERS
    if action == "websocket":
        body += [
            "proxy_http_version 1.1;",
            "proxy_set_header Upgrade $http_upgrade;",
            "proxy_set_header Connection $connection_upgrade;",
            "proxy_read_timeout 3600s;",
        ]
    elif action == "static":
        body += [
            "proxy_cache odoo_static;",
            f"proxy_cache_valid 200 304 {loc['cache_valid']};",
            "proxy_cache_use_stale error timeout updating;",
            "proxy_cache_lock on;",
            "proxy_buffering on;",
            # add_header here replaces the server's: repeat the security headers.
            "add_header X-Cache-Status $upstream_cache_status always;",
        ]
        body += _security_headers(headers, "")
    elif action == "health":
        body += ["access_log off;", "default_type text/plain;", f"return {loc['return']};"]
    elif action == "deny":
        body.append(f"return {loc['return']};")
    lines = [f"        location {loc['key']} {{"]
    lines += [f"            {line}" for line in body]
    lines.append("        }")
    return lines


def render(settings: dict, layout: Layout) -> str:
    nginx = settings["nginx"]
    headers = nginx["security_headers"]
    run, logs, tmp = layout.run, layout.logs, layout.nginx_temp
    lines = [
        "# Rendered by scripts/stack from stack/settings.toml -- edit that file, not this one.",
        "worker_processes auto;",
        f"pid {run / 'nginx.pid'};",
        f"error_log {logs / 'nginx-error.log'} warn;",
        "events { worker_connections 1024; }",
        "http {",
        "    include /etc/nginx/mime.types;",
        "    default_type application/octet-stream;",
        "    sendfile on;",
        "    tcp_nopush on;",
        "    server_tokens off;",
        "    log_format timed '$remote_addr [$time_local] \"$request\" $status $body_bytes_sent '",
        "                     'rt=$request_time urt=$upstream_response_time cache=$upstream_cache_status';",
        f"    access_log {logs / 'nginx-access.log'} timed;",
        f"    client_body_temp_path {tmp / 'client_body'};",
        f"    proxy_temp_path {tmp / 'proxy'};",
        f"    fastcgi_temp_path {tmp / 'fastcgi'};",
        f"    uwsgi_temp_path {tmp / 'uwsgi'};",
        f"    scgi_temp_path {tmp / 'scgi'};",
        f"    proxy_cache_path {tmp / 'cache'} levels=1:2 keys_zone=odoo_static:10m max_size=256m "
        f"inactive={nginx['static_cache']} use_temp_path=off;",
        "    map $http_upgrade $connection_upgrade {",
        "        default upgrade;",
        "        ''      close;",
        "    }",
    ]
    for name, servers in nginx["upstreams"].items():
        lines.append(f"    upstream {name} {{")
        lines += [f"        server {server};" for server in servers]
        lines.append("    }")
    lines += [
        "    gzip on;",
        "    gzip_vary on;",
        "    gzip_proxied any;",
        "    gzip_min_length 256;",
        f"    gzip_types {' '.join(nginx['gzip_types'])};",
        "    server {",
        f"        listen {nginx['listen']['addr']}:{nginx['listen']['port']};",
        f"        server_name {nginx['server_name']};",
        f"        client_max_body_size {nginx['client_max_body_size']};",
        "        proxy_connect_timeout 10s;",
        "        proxy_read_timeout 720s;",
        "        proxy_send_timeout 720s;",
    ]
    lines += _security_headers(headers, "        ")
    lines += _hide_upstream_headers(headers, "        ")
    for loc in nginx["locations"]:
        lines += _location(loc, headers)
    lines += [
        "    }",
        "    # For the nginx exporter only: a unix socket, never a TCP port.",
        "    server {",
        f"        listen unix:{status_socket(layout)};",
        "        access_log off;",
        "        location = /stub_status { stub_status; }",
        "        location / { return 404; }",
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"
