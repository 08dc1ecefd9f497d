"""Talking to the stack's non-HTTP services through their own protocols (stdlib only)."""

from __future__ import annotations

import base64
import os
import smtplib
import socket


def _resp(*args: str) -> bytes:
    return f"*{len(args)}\r\n".encode() + b"".join(
        f"${len(a.encode())}\r\n".encode() + a.encode() + b"\r\n" for a in args
    )


def redis_command(host: str, port: int, *args: str, password: str | None = None) -> bytes:
    """Send one RESP command (after AUTH when Redis has a password) and return the raw reply."""
    with socket.create_connection((host, port), timeout=5) as sock:
        if password is not None:
            sock.sendall(_resp("AUTH", password))
            sock.settimeout(5)
            answer = sock.recv(1024)
            if not answer.startswith(b"+OK"):
                raise AssertionError(f"Redis refused AUTH: {answer!r}")
        sock.sendall(_resp(*args))
        sock.settimeout(5)
        data = sock.recv(65536)
        # Bulk replies may come in several segments.
        if data.startswith(b"$"):
            size = int(data[1:data.index(b"\r\n")])
            while size >= 0 and len(data) < data.index(b"\r\n") + 2 + size + 2:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        elif data.startswith(b"*"):
            sock.settimeout(0.5)
            try:
                while chunk := sock.recv(65536):
                    data += chunk
            except TimeoutError:
                pass
        return data


def redis_keys(host: str, port: int, pattern: str, password: str | None = None) -> list[str]:
    reply = redis_command(host, port, "KEYS", pattern, password=password)
    lines = reply.split(b"\r\n")
    return [lines[i].decode() for i in range(2, len(lines), 2) if lines[i - 1].startswith(b"$")]


def smtp_ehlo(host: str, port: int) -> tuple[int, str]:
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        code, message = smtp.ehlo("stack-tests")
        return code, message.decode("utf-8", "replace")


def websocket_handshake(host: str, port: int, path: str, host_header: str, origin: str) -> tuple[str, dict]:
    """Open a WebSocket (RFC 6455 handshake) and return the status line and headers."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request.encode())
        sock.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("iso-8859-1")
    status, *header_lines = head.split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers
