"""Talking to the stack's supervisord over its unix socket (XML-RPC, as supervisorctl does)."""

from __future__ import annotations

import time
import xmlrpc.client
from pathlib import Path

from einvoice_stack.layout import Layout
from einvoice_stack.progress import StackError
from einvoice_stack.runtime_user import run_as

RUNNING_STATES = {"RUNNING"}


class Supervisor:
    def __init__(self, layout: Layout):
        self.layout = layout

    def _proxy(self):
        from supervisor.xmlrpc import SupervisorTransport

        transport = SupervisorTransport(None, None, f"unix://{self.layout.supervisor_socket}")
        # The host part is ignored by the unix-socket transport.
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)

    def is_running(self) -> bool:
        if not self.layout.supervisor_socket.exists():
            return False
        try:
            return self._proxy().supervisor.getState()["statename"] == "RUNNING"
        except (OSError, xmlrpc.client.Fault, xmlrpc.client.ProtocolError):
            return False

    def start_daemon(self) -> None:
        """Start supervisord as the runtime account; it daemonizes itself."""
        conf = self.layout.supervisor_conf
        run_as([self.layout.venv_bin("supervisord"), "-c", conf], cwd=self.layout.home, capture=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.is_running():
                return
            time.sleep(0.1)
        raise StackError(f"supervisord did not come up (see {self.layout.logs / 'supervisord.log'})")

    def reload_config(self) -> tuple[list[str], list[str], list[str]]:
        """Re-read the config file: (added, changed, removed) program names. Removed and
        changed programs are stopped and dropped; added/changed ones are re-added (stopped)."""
        server = self._proxy()
        [[added, changed, removed]] = server.supervisor.reloadConfig()
        for name in removed + changed:
            try:
                server.supervisor.stopProcessGroup(name, True)
            except xmlrpc.client.Fault:
                pass
            server.supervisor.removeProcessGroup(name)
        for name in added + changed:
            server.supervisor.addProcessGroup(name)
        return added, changed, removed

    def info(self) -> dict[str, dict]:
        return {p["name"]: p for p in self._proxy().supervisor.getAllProcessInfo()}

    def state(self, name: str) -> str:
        return self.info().get(name, {}).get("statename", "UNKNOWN")

    def start(self, names: list[str]) -> None:
        """Ask supervisord to start these programs without waiting (health checks wait)."""
        server = self._proxy()
        for name in names:
            try:
                server.supervisor.startProcess(name, False)
            except xmlrpc.client.Fault as exc:
                if "ALREADY_STARTED" not in exc.faultString:
                    raise StackError(f"supervisord could not start {name}: {exc.faultString}") from None

    def stop(self, name: str) -> None:
        try:
            self._proxy().supervisor.stopProcess(name, True)
        except xmlrpc.client.Fault as exc:
            if "NOT_RUNNING" not in exc.faultString:
                raise StackError(f"supervisord could not stop {name}: {exc.faultString}") from None

    def restart(self, name: str) -> None:
        self.stop(name)
        self.start([name])

    def signal(self, name: str, signal: str) -> None:
        self._proxy().supervisor.signalProcess(name, signal)

    def shutdown(self) -> None:
        """Stop every program (in reverse start order, by the caller) and supervisord itself."""
        pid_file = self.layout.run / "supervisord.pid"
        pid = int(pid_file.read_text().strip()) if pid_file.is_file() else None
        self._proxy().supervisor.shutdown()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if pid is None or not Path(f"/proc/{pid}").exists():
                return
            time.sleep(0.2)
        raise StackError(f"supervisord (pid {pid}) did not exit within 90 s")

    def log_file(self, name: str) -> Path:
        return self.layout.logs / f"{name}.log"
