"""The plain-host stack's processes, as supervisord and /proc show them: who is a child of whom,
who listens on a port, what supervisord logged. For the stack tests and the fault test
(scripts/bench/odoo_faults.py); under NixOS (no supervisord) callers skip."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

from einvoice_stack.layout import Layout
from einvoice_stack.supervisor_ctl import Supervisor


def supervisor(stack_home: Path):
    """supervisord's XML-RPC interface, or None when this is not the plain-host stack."""
    control = Supervisor(replace(Layout.from_environment(), home=Path(stack_home)))
    if not control.layout.supervisor_socket.exists():
        return None
    return control._proxy().supervisor


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text.rpartition(")")[2].split()


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped yet counts as gone)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def parent(pid: int) -> int | None:
    stat = _stat(pid)
    return int(stat[1]) if stat else None


def niceness(pid: int) -> int | None:
    stat = _stat(pid)
    return int(stat[16]) if stat else None


def children(pid: int) -> list[int]:
    return [p for p in _pids() if parent(p) == pid]


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for child in children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def listeners(port: int) -> set[int]:
    """The processes holding a listening TCP socket on ``port`` (needs to read their fds: root)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rpartition(":")[2], 16) == port:
                inodes.add(fields[9])
    holders = set()
    for pid in _pids():
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    holders.add(pid)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return holders


def wait_until(condition, timeout: float, interval: float = 0.1):
    """condition()'s first truthy value within ``timeout`` seconds, else None."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value or None
        time.sleep(interval)


class LogTail:
    """What a log file gained since this object was made."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def read(self) -> str:
        if not self.path.exists():
            return ""
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            return handle.read().decode(errors="replace")
