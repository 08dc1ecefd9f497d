"""docs/VALIDATION_REPORT.md, written by the stack test run itself (never by hand):
what ran, against what, what passed, and the figures measured on the way."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Outcome:
    nodeid: str
    doc: str
    outcome: str = "not run"
    duration: float = 0.0
    detail: str = ""
    scenario: tuple[int, str] | None = None


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    note: str = ""


@dataclass
class Recorder:
    started: float = field(default_factory=time.time)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)

    def outcome(self, nodeid: str) -> Outcome:
        return self.outcomes.setdefault(nodeid, Outcome(nodeid, ""))

    def figure(self, name: str, value: float, unit: str, note: str = "") -> None:
        self.figures.append(Figure(name, value, unit, note))

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for o in self.outcomes.values():
            counts[o.outcome] = counts.get(o.outcome, 0) + 1
        return counts

    def render(self, invocation: str, repo: Path, scenarios: dict[int, tuple[str, str]] | None = None) -> str:
        counts = self.counts()
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        verdict = "FAILED" if counts.get("failed") or counts.get("error") else "passed"
        lines = [
            "# Validation report: the staging stack",
            "",
            "Written by the stack test run itself (`tests/stack/conftest.py`, at the end of",
            "`pytest -m stack tests/stack`); do not edit by hand -- run the tests again.",
            "",
            f"- Run finished: {now}, took {time.time() - self.started:.0f} s",
            f"- Command: `{invocation}`",
            f"- Host: {platform.node()} ({platform.system()} {platform.release()}, Python {platform.python_version()})",
            f"- Commit: {_git_commit(repo)}",
        ]
        lines += [f"- {key}: {value}" for key, value in self.environment.items()]
        lines += [
            "",
            f"**Result: {verdict}** -- " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())),
            "",
        ]
        checked = sorted((o for o in self.outcomes.values() if o.scenario), key=lambda o: o.scenario)
        rows = [(o.scenario[0], o.scenario[1], f"`{_short(o.nodeid)}`", o.outcome) for o in checked]
        covered = {o.scenario[0] for o in checked}
        rows += [(n, title, "none", f"not checked: {why}") for n, (title, why) in (scenarios or {}).items()
                 if n not in covered]
        if rows:
            lines += ["## User guide scenarios (docs/user-guide.md)", "", "| # | scenario | test | result |",
                      "| --- | --- | --- | --- |"]
            lines += [f"| {n} | {title} | {test} | {result} |" for n, title, test, result in sorted(rows)]
            lines.append("")
        by_module: dict[str, list[Outcome]] = {}
        for o in self.outcomes.values():
            by_module.setdefault(o.nodeid.split("::")[0], []).append(o)
        lines += ["## Tests", ""]
        for module, outcomes in by_module.items():
            lines += [f"### {module}", "", "| test | checks | result | time |", "| --- | --- | --- | --- |"]
            for o in outcomes:
                result = o.outcome + (f": {_cell(o.detail)}" if o.detail and o.outcome != "passed" else "")
                lines.append(f"| `{_short(o.nodeid)}` | {_cell(o.doc)} | {result} | {o.duration:.2f} s |")
            lines.append("")
        if self.figures:
            lines += ["## Figures measured during the run", "",
                      "Printed, never asserted (speed is judged by the benchmarks, docs/BENCHMARKS.md).", "",
                      "| figure | value | note |", "| --- | --- | --- |"]
            lines += [f"| {f.name} | {f.value:.3f} {f.unit} | {_cell(f.note)} |" for f in self.figures]
            lines.append("")
        if self.notes:
            lines += ["## Notes", ""] + [f"- {_cell(n)}" for n in self.notes] + [""]
        return "\n".join(lines)


def _short(nodeid: str) -> str:
    return nodeid.split("::", 1)[-1]


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")[:300]


def _git_commit(repo: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=False)
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    if out.returncode != 0:
        return "unknown (not a git checkout)"
    return out.stdout.strip() + (" with local changes" if dirty.stdout.strip() else "")
