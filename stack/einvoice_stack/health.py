"""Is a program answering through its real interface? (HTTP, a TCP banner, pg_isready)."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request

from einvoice_stack.layout import PG_BIN, Layout
from einvoice_stack.progress import StackError
from einvoice_stack.runtime_user import run_as


def probe(check: tuple, layout: Layout, settings: dict) -> tuple[bool, str]:
    """One attempt: (healthy?, what was seen)."""
    kind = check[0]
    if kind == "http":
        _, url, expected = check
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read(8 << 20).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return False, f"{url}: HTTP {exc.code}"
        except (OSError, urllib.error.URLError) as exc:
            return False, f"{url}: {getattr(exc, 'reason', exc)}"
        if expected and expected not in body:
            return False, f"{url}: answer lacks {expected!r}"
        return True, f"{url}: ok"
    if kind == "tcp":
        _, host, port, banner = check
        try:
            with socket.create_connection((host, port), timeout=3) as sock:
                if banner:
                    sock.settimeout(3)
                    data = sock.recv(256)
                    if not data.startswith(banner):
                        return False, f"{host}:{port}: unexpected greeting {data[:40]!r}"
                    return True, f"{host}:{port}: {data.decode('ascii', 'replace').strip()[:60]}"
                if port == settings["ports"]["redis"]:
                    sock.sendall(b"PING\r\n")
                    sock.settimeout(3)
                    reply = sock.recv(64)
                    if not reply.startswith(b"+PONG"):
                        return False, f"{host}:{port}: PING answered {reply!r}"
                    return True, f"{host}:{port}: PONG"
        except OSError as exc:
            return False, f"{host}:{port}: {exc.strerror or exc}"
        return True, f"{host}:{port}: accepting connections"
    if kind == "pg":
        port = settings["ports"]["postgresql"]
        result = run_as([PG_BIN / "pg_isready", "-h", layout.run, "-p", str(port), "-d", "postgres"],
                        check=False, capture=True)
        return result.returncode == 0, (result.stdout or result.stderr).strip()
    raise ValueError(f"unknown health check {check!r}")


def wait_healthy(programs, layout: Layout, settings: dict, supervisor, timeout: float) -> dict[str, float]:
    """Wait until every program answers; return name -> seconds it took. Fails early when
    supervisord gives a program up (FATAL/EXITED/BACKOFF loops), naming its log."""
    t0 = time.monotonic()
    pending = {p.name: p for p in programs}
    ready: dict[str, float] = {}
    last: dict[str, str] = {}
    while pending:
        for name, prog in list(pending.items()):
            ok, seen = probe(prog.health, layout, settings)
            last[name] = seen
            if ok:
                ready[name] = time.monotonic() - t0
                del pending[name]
        if not pending:
            break
        states = supervisor.info()
        for name in pending:
            state = states.get(name, {}).get("statename")
            if state in ("FATAL", "EXITED", "STOPPED"):
                tail = _tail(supervisor.log_file(name), 15)
                raise StackError(f"{name} is {state} (log {supervisor.log_file(name)}):\n{tail}")
        if time.monotonic() - t0 > timeout:
            detail = "; ".join(f"{n}: {last.get(n, '?')}" for n in pending)
            raise StackError(f"not healthy after {timeout:.0f} s: {detail}")
        time.sleep(0.25)
    return ready


def _tail(path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
