"""Fixtures of the stack suites (pytest -m stack tests/stack), and the hooks that write
docs/VALIDATION_REPORT.md from what actually ran (STACK_VALIDATION_REPORT overrides the path)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from einvoice_stack.odoo_rpc import OdooRPC
from einvoice_stack.stack_env import stack_env
from validation_report import Recorder

REPO = Path(__file__).resolve().parents[2]  # the checkout (in the NixOS VM: its copy of the suites)

RECORDER = Recorder()
# The scenarios of docs/user-guide.md, and why one may have no test in this build:
# a scenario no test covers is listed in the report as not checked.
SCENARIOS = {
    1: ("Create and submit a basic invoice", "no test collected"),
    2: ("Invoice with discounts", "no test collected"),
    3: ("Credit note creation", "no test collected"),
    4: ("POS transaction", "no test collected (needs the l10n_cr_einvoice_pos addon)"),
    5: ("Bulk operations", "no test collected"),
    6: ("Error handling", "no test collected"),
    7: ("Analytics and reporting", "no test collected"),
    8: ("Receive a supplier document", "no test collected"),
    9: ("Data from Hacienda's public services", "no test collected"),
}


def pytest_configure(config):
    config.addinivalue_line("markers", "scenario(number, title): checks a scenario of docs/user-guide.md")


def pytest_collection_modifyitems(items):
    for item in items:
        if not str(item.path).startswith(str(Path(__file__).parent)):
            continue
        outcome = RECORDER.outcome(item.nodeid)
        doc = (getattr(item, "function", None).__doc__ or "").strip().splitlines()
        outcome.doc = doc[0] if doc else ""
        marker = item.get_closest_marker("scenario")
        if marker:
            outcome.scenario = (marker.args[0], marker.args[1])


def pytest_runtest_logreport(report):
    if report.nodeid not in RECORDER.outcomes:
        return
    outcome = RECORDER.outcomes[report.nodeid]
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        outcome.duration += report.duration
        if report.skipped:
            outcome.outcome = "skipped"
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            outcome.detail = reason.removeprefix("Skipped: ")
        elif report.failed:
            outcome.outcome = "failed" if report.when == "call" else "error"
            outcome.detail = _first_line(report)
        else:
            outcome.outcome = "passed"
    elif report.when == "teardown" and report.failed:
        outcome.outcome = "error"
        outcome.detail = "teardown: " + _first_line(report)


def _first_line(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    return crash.message.splitlines()[0] if crash else str(report.longrepr).splitlines()[-1]


def pytest_terminal_summary(terminalreporter):
    if not RECORDER.figures:
        return
    terminalreporter.section("stack figures (printed, not asserted)")
    for f in RECORDER.figures:
        terminalreporter.write_line(f"{f.name:<58} {f.value:10.3f} {f.unit:<4} {f.note}")


def _last_up(env) -> None:
    """The plain-host stack's last `scripts/stack up` (run/last-up.json), when there is one."""
    import json

    path = env.stack_home / "run" / "last-up.json"
    if not path.is_file():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    kind = "nothing changed" if not data["changed"] else f"{len(data['changed'])} steps changed something"
    slowest = sorted(data["steps"], key=lambda s: -s["seconds"])[:3]
    RECORDER.figure("last `scripts/stack up` before this run", data["elapsed"], "s",
                    f"{kind}; slowest: " + ", ".join(f"{s['name']} {s['seconds']:.1f} s" for s in slowest))


def _whole_suite(session) -> bool:
    """Every test of tests/stack selected (no -k, no -m beyond the stack marker, no file or
    test picked out): only then is a scenario without a test news, and the report complete."""
    here = Path(__file__).parent.resolve()
    args = [Path(a.split("::")[0]).resolve() for a in session.config.args]
    return (not session.config.option.keyword and session.config.option.markexpr in ("", "stack")
            and all(a == here or here.is_relative_to(a) for a in args) and bool(args))


def pytest_sessionfinish(session):
    ran = [o for o in RECORDER.outcomes.values() if o.outcome != "not run"]
    if not ran:
        return
    # Deselected tests (-k, -m) are not part of this run's report.
    RECORDER.outcomes = {k: v for k, v in RECORDER.outcomes.items() if v.outcome != "not run"}
    explicit = os.environ.get("STACK_VALIDATION_REPORT")
    if not explicit and not _whole_suite(session):
        # A narrowed run (-k, -m ...) must not replace the report of the whole suite.
        print("stack tests: partial run, docs/VALIDATION_REPORT.md left as it was "
              "(set STACK_VALIDATION_REPORT to write this run's report elsewhere)", file=sys.stderr)
        return
    target = Path(explicit or REPO / "docs" / "VALIDATION_REPORT.md")
    invocation = "pytest " + " ".join(sys.argv[1:]) if sys.argv else "pytest"
    try:
        env = stack_env()
        RECORDER.environment.setdefault("Stack URL", env.stack_url)
        RECORDER.environment.setdefault("Database", env.database)
        _last_up(env)
    except Exception as exc:  # the report must still be written when the settings are broken
        RECORDER.notes.append(f"stack settings unreadable: {exc}")
    try:
        target.write_text(RECORDER.render(invocation, REPO, SCENARIOS if _whole_suite(session) else None),
                          encoding="utf-8")
    except OSError as exc:
        print(f"stack tests: cannot write {target}: {exc}", file=sys.stderr)


@pytest.fixture(scope="session")
def env():
    return stack_env()


@pytest.fixture(scope="session")
def figures():
    """figures(name, value, unit, note='') records a measured figure for the report."""
    return RECORDER.figure


@pytest.fixture(scope="session")
def report_note():
    return RECORDER.notes.append


@pytest.fixture(scope="session")
def report_environment():
    return RECORDER.environment


@pytest.fixture(scope="session")
def admin(env) -> OdooRPC:
    """The admin's web session through nginx (the way users reach the stack)."""
    session = OdooRPC(env.stack_url, env.database)
    session.authenticate(env.admin_login, env.admin_password)
    return session


@pytest.fixture(scope="session")
def xsd_enumerations():
    """XSD enumeration values keyed type[.element], over every XSD of both schema sets."""
    from xsd_enumerations import enumerations, xsd_dir

    return enumerations(xsd_dir())
