"""Running the simulator as a separate process (tests, benchmarks, demos).

    with SimulatorProcess(db=tmp / "sim.sqlite3", users=["cpj-3-101-123456@stag…:secret"],
                          xsd_dir=xsd, extra=["--processing-delay", "0.2"]) as sim:
        sim.url      # http://127.0.0.1:PORT (a free port)
        sim.faults({"reset_after": 0.1})
        sim.stats()
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class SimulatorProcess:
    def __init__(
        self,
        *,
        db: Path,
        users: list[str] = (),
        users_file: Path | None = None,
        xsd_dir: Path | None = None,
        config_file: Path | None = None,
        extra: list[str] = (),
        port: int = 0,
        log_path: Path | None = None,
        startup_timeout: float = 30.0,
    ):
        self.args = [sys.executable, "-m", "hacienda_cr.cli", "simulator", "--host", "127.0.0.1", "--port", str(port), "--db", str(db)]
        for user in users:
            self.args += ["--user", user]
        if users_file:
            self.args += ["--users-file", str(users_file)]
        if xsd_dir:
            self.args += ["--xsd-dir", str(xsd_dir)]
        if config_file:
            self.args += ["--config", str(config_file)]
        self.args += list(extra)
        self.db = Path(db)
        self.log_path = Path(log_path) if log_path else Path(tempfile.mkstemp(prefix="hacienda-sim-", suffix=".log")[1])
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> SimulatorProcess:
        log = open(self.log_path, "ab")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=log, env=env)
        log.close()
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.startup_timeout)
        text = line[0].decode(errors="replace").strip() if line else ""
        if "listening on " not in text:
            self.stop()
            raise RuntimeError(f"the simulator did not start ({text or 'no output'}); log:\n{self.log()}")
        self.url = text.split("listening on ", 1)[1]
        # Drain further stdout so the child never blocks on a full pipe.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.get("/health")
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self, timeout: float = 15.0) -> int | None:
        proc = self.process
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.process = None
        return proc.returncode

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    def __enter__(self) -> SimulatorProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- control endpoints ------------------------------------------------------------

    def request(self, method: str, path: str, body: object = None) -> object:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(  # noqa: S310 - self.url is the child's http:// address
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with _DIRECT.open(req, timeout=30) as resp:
            raw = resp.read()
            if resp.headers.get_content_type() == "application/json":
                return json.loads(raw)
            return raw.decode()

    def get(self, path: str) -> object:
        return self.request("GET", path)

    def faults(self, faults: dict | None = None, *, next: list | None = None, replace: bool = True) -> dict:
        """Set the fault probabilities (``replace``: drop the others) and/or queue scripted faults."""
        body: dict = {}
        if faults is not None:
            body["faults"] = faults
            body["replace"] = replace
        if next:
            body["next"] = next
        return self.request("PUT", "/_simulator/faults", body)

    def stats(self) -> dict:
        return self.get("/_simulator/stats")
