"""Judge an Odoo test run from its log, because odoo-bin's exit code alone is not enough.

odoo-bin returns 0 when a module fails to load before any test ran, when every browser
tour was skipped (no Chrome, no websocket-client) and when the tags matched nothing.
The log says all of that, so scripts/odoo-test asks this module for the verdict.

Usage: python odoo_test_report.py LOG --odoo-exit N [--allow-browser-skip] [--allow-no-tests]
Prints a summary ending with the plain line "odoo-test: N passed, N failed, N skipped"
and exits 0 only when the run is clean.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

# "2025-01-31 12:00:00,123 4242 ERROR dbname odoo.addons.x.tests.test_y: FAIL: ..."
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) "
    r"(?P<logger>[\w.]+): (?P<message>.*)$"
)
# odoo/tests/result.py OdooTestResult.__str__, logged once per database at the end.
FINAL_SUMMARY = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database"
)
SKIPPED_TEST = re.compile(r"^skipped \S+ : ")
# Reasons odoo/tests/common.py gives when it skips a browser test instead of running it.
BROWSER_SKIPS = (
    "Chrome executable not found",
    "websocket-client module is not installed",
    "Failed to detect chrome devtools port",
    "Cannot connect to chrome dev tools",
    "Chrome headless failed to start",
)


@dataclass
class Report:
    summary: dict[str, int] | None = None
    error_lines: list[str] = field(default_factory=list)
    browser_skips: list[str] = field(default_factory=list)
    skipped: int = 0

    @property
    def failed(self) -> int:
        return self.summary["failed"] + self.summary["errors"] if self.summary else 0

    @property
    def run(self) -> int:
        return self.summary["run"] if self.summary else 0


def parse(lines) -> Report:
    report = Report()
    for raw in lines:
        line = raw.rstrip("\n")
        match = LOG_LINE.match(line)
        if not match:
            continue
        level, message = match["level"], match["message"]
        summary = FINAL_SUMMARY.search(message)
        if summary:
            report.summary = {k: int(v) for k, v in summary.groupdict().items()}
        if level in ("ERROR", "CRITICAL"):
            report.error_lines.append(line)
        if SKIPPED_TEST.match(message):
            report.skipped += 1
        if any(reason in message for reason in BROWSER_SKIPS):
            report.browser_skips.append(line)
    return report


def verdict(report: Report, odoo_exit: int, *, allow_browser_skip: bool,
            allow_no_tests: bool) -> list[str]:
    """Return the reasons the run failed; empty means it passed."""
    problems = []
    if report.summary is None:
        problems.append("Odoo never logged its final test summary (crash or aborted load)")
    elif report.failed:
        problems.append(f"{report.summary['failed']} test(s) failed, "
                        f"{report.summary['errors']} test(s) errored")
    if report.error_lines:
        problems.append(f"{len(report.error_lines)} ERROR/CRITICAL log line(s)")
    if report.browser_skips and not allow_browser_skip:
        problems.append("browser tours were skipped (see lines below); pass "
                        "--allow-browser-skip to accept that")
    if report.summary is not None and report.run == 0 and not allow_no_tests:
        problems.append("no test ran: check --modules/--test-tags")
    if odoo_exit != 0:
        problems.append(f"odoo-bin exited with status {odoo_exit}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("--odoo-exit", type=int, required=True)
    parser.add_argument("--allow-browser-skip", action="store_true")
    parser.add_argument("--allow-no-tests", action="store_true")
    args = parser.parse_args(argv)

    try:
        with args.log.open(encoding="utf-8", errors="replace") as stream:
            report = parse(stream)
    except OSError as exc:
        print(f"odoo-test: cannot read log {args.log}: {exc.strerror}", file=sys.stderr)
        return 2

    problems = verdict(report, args.odoo_exit, allow_browser_skip=args.allow_browser_skip,
                       allow_no_tests=args.allow_no_tests)
    out = sys.stdout
    print("", file=out)
    print("=" * 72, file=out)
    if report.summary:
        s = report.summary
        print(f"odoo-test: Odoo summary: {s['failed']} failed, {s['errors']} error(s) "
              f"of {s['run']} tests ({report.skipped} skipped)", file=out)
    for line in report.error_lines[:20]:
        print(f"  {line[:300]}", file=out)
    if len(report.error_lines) > 20:
        print(f"  ... {len(report.error_lines) - 20} more, see {args.log}", file=out)
    if report.browser_skips and not args.allow_browser_skip:
        for line in report.browser_skips[:5]:
            print(f"  {line[:300]}", file=out)
    for problem in problems:
        print(f"odoo-test: FAILED: {problem}", file=out)

    failed = report.failed
    if problems and failed == 0:
        failed = 1  # the run itself failed even though no test method did
    passed = max(report.run - report.failed - report.skipped, 0)
    print(f"odoo-test: {passed} passed, {failed} failed, {report.skipped} skipped", file=out)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
