"""scripts/lib/odoo_test_report.py decides whether an Odoo test run passed: its verdicts."""

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("odoo_test_report", REPO / "scripts" / "lib" / "odoo_test_report.py")
report_mod = importlib.util.module_from_spec(spec)
sys.modules["odoo_test_report"] = report_mod  # dataclasses look their module up there
spec.loader.exec_module(report_mod)

HEAD = "2026-11-27 10:00:00,123 4242 INFO odoo_test_1 odoo.modules.loading: loading 1 modules..."
SUMMARY = "2026-11-27 10:01:00,000 4242 INFO odoo_test_1 odoo.tests.result: {f} failed, {e} error(s) of {n} tests when loading database 'odoo_test_1'"
FAIL = "2026-11-27 10:00:30,000 4242 ERROR odoo_test_1 odoo.addons.x.tests.test_y: FAIL: TestY.test_z"
SKIP_TOUR = "2026-11-27 10:00:31,000 4242 INFO odoo_test_1 odoo.tests.common: skipped x : Chrome executable not found"
SKIPPED = "2026-11-27 10:00:31,000 4242 INFO odoo_test_1 odoo.addons.x.tests.test_y: skipped TestY.test_w : not today"


def run(lines, exit_code=0, **flags):
    report = report_mod.parse(lines)
    return report, report_mod.verdict(
        report, exit_code, allow_browser_skip=flags.get("browser", False), allow_no_tests=flags.get("no_tests", False)
    )


def test_clean_run_passes():
    report, problems = run([HEAD, SUMMARY.format(f=0, e=0, n=12)])
    assert problems == [] and report.run == 12


@pytest.mark.parametrize(
    "lines, exit_code, expected",
    [
        ([HEAD, FAIL, SUMMARY.format(f=1, e=0, n=12)], 1, "test(s) failed"),
        ([HEAD, SUMMARY.format(f=0, e=2, n=12)], 0, "2 test(s) errored"),
        ([HEAD], 0, "never logged its final test summary"),
        ([HEAD, SUMMARY.format(f=0, e=0, n=0)], 0, "no test ran"),
        ([HEAD, SKIP_TOUR, SUMMARY.format(f=0, e=0, n=3)], 0, "browser tours were skipped"),
        ([HEAD, SUMMARY.format(f=0, e=0, n=3)], 255, "exited with status 255"),
        (
            [HEAD, FAIL.replace("FAIL: TestY.test_z", "Failed to load registry"), SUMMARY.format(f=0, e=0, n=3)],
            0,
            "ERROR/CRITICAL",
        ),
    ],
)
def test_failures_are_never_taken_for_success(lines, exit_code, expected):
    _, problems = run(lines, exit_code)
    assert any(expected in p for p in problems), problems


def test_explicit_allowances():
    assert run([HEAD, SKIP_TOUR, SUMMARY.format(f=0, e=0, n=3)], browser=True)[1] == []
    assert run([HEAD, SUMMARY.format(f=0, e=0, n=0)], no_tests=True)[1] == []


def test_skipped_tests_are_counted():
    report, problems = run([HEAD, SKIPPED, SUMMARY.format(f=0, e=0, n=4)])
    assert report.skipped == 1 and problems == []


def test_main_prints_the_plain_summary_line(tmp_path, capsys):
    log = tmp_path / "run.log"
    log.write_text("\n".join([HEAD, FAIL, SUMMARY.format(f=1, e=0, n=5)]) + "\n")
    assert report_mod.main([str(log), "--odoo-exit", "1"]) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1] == "odoo-test: 4 passed, 1 failed, 0 skipped"
    assert report_mod.main([str(tmp_path / "missing.log"), "--odoo-exit", "0"]) == 2
