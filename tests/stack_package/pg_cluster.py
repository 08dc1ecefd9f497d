"""A throw-away PostgreSQL cluster for the tests of the stack's package: initdb'd in a
private directory, started and stopped when the test says so (a test can start it late).
Run as the stack's runtime account when the tests run as root (PostgreSQL refuses root).

PostgreSQL's programs come from $PG_BIN (default: Debian's /usr/lib/postgresql/15/bin, or
`initdb` on PATH, as in a Nix build)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from einvoice_stack.layout import PG_BIN, RUNTIME_USER


def pg_bin() -> Path:
    if (PG_BIN / "initdb").is_file():
        return PG_BIN
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError(f"PostgreSQL's initdb is neither in {PG_BIN} ($PG_BIN) nor on PATH")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        self.bin = pg_bin()
        self.account = pwd.getpwnam(RUNTIME_USER) if os.geteuid() == 0 else None
        self.dir = Path(tempfile.mkdtemp(prefix="stack-package-pg-"))
        if self.account:
            os.chown(self.dir, self.account.pw_uid, self.account.pw_gid)
        self.data = self.dir / "data"
        # where einvoice_stack.layout.Layout(home=dir) has the stack's sockets
        self.socket_dir = self.dir / "run"
        self.socket_dir.mkdir()
        if self.account:
            os.chown(self.socket_dir, self.account.pw_uid, self.account.pw_gid)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.run([self.bin / "initdb", "-D", self.data, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
                  "--auth-local=trust", "--auth-host=scram-sha-256"])

    def _user(self) -> dict:
        return {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []} if self.account else {}

    def run(self, argv, **kw) -> subprocess.CompletedProcess:
        return subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=True,
                              cwd=self.dir, **self._user(), **kw)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.socket_dir),
             "-c", "listen_addresses=127.0.0.1"],
            cwd=self.dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **self._user())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            probe = subprocess.run([str(self.bin / "pg_isready"), "-h", str(self.socket_dir), "-p", str(self.port)],
                                   capture_output=True, check=False)
            if probe.returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("the test cluster did not start within 30 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def sql(self, sql: str, database: str = "postgres") -> str:
        return self.run([self.bin / "psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", self.socket_dir,
                         "-p", self.port, "-U", "postgres", "-d", database], input=sql).stdout.strip()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
