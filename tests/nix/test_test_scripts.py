"""Check 3: the VM test scripts only call test-driver methods that exist and only name
nodes that exist (full Python AST check; the harness's Nix check is a coarser twin)."""

import json

import pytest
from check_test_scripts import check_all, check_script, load_api, pyflakes, wait_budget
from nix_harness import REPO, nix_eval_json

API = load_api()


def test_every_vm_test_script_of_the_flake_is_clean():
    tests = nix_eval_json("checks.x86_64-linux",
                          apply="cs: builtins.mapAttrs (n: c: c.harness or null) cs")
    problems, checked = check_all(tests, API)
    assert checked == 3
    assert problems == []


def test_api_list_comes_from_the_driver():
    # the methods every VM test here relies on are in the list taken from nixpkgs
    for method in ("wait_for_unit", "wait_for_open_port", "succeed", "fail",
                   "wait_until_succeeds"):
        assert method in API["machine_methods"]
    assert {"start_all", "subtest", "retry", "t"} <= set(API["globals"])
    assert "nixos/lib/test-driver" in API["_source"]


GOOD = """
import json
start_all()
with subtest("x"):
    for unit in ["a.service"]:
        web.wait_for_unit(unit)
    out = web.succeed("true")
    t.assertEqual(json.loads("1"), 1)
    def ok(_last: bool) -> bool:
        return bool(out)
    retry(ok, timeout_seconds=5)
"""


@pytest.mark.parametrize(
    ("script", "nodes", "expected"),
    [
        (GOOD, ["web"], None),
        (GOOD.replace("web.wait_for_unit", "wbe.wait_for_unit"), ["web"], "undefined name 'wbe'"),
        (GOOD.replace("wait_for_unit", "wait_for_service"), ["web"], "no 'wait_for_service'"),
        (GOOD.replace("web.", "machine."), ["web"], None),
        (GOOD.replace("web.", "machine."), ["web", "db"], "undefined name 'machine'"),
        (GOOD.replace("start_all()", "start_al()"), ["web"], "undefined name 'start_al'"),
        (GOOD.replace("out = ", "out == "), ["web"], "undefined name 'out'"),
        (GOOD + "\nweb.succeed(", ["web"], "not valid Python"),
        (GOOD.replace("web.", "my_node."), ["my-node"], None),
        (GOOD, [], "no nodes"),
    ],
)
def test_checker(script, nodes, expected):
    problems = check_script(script, nodes, API)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


def test_cli_exit_status(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"t": {"script": "nod.succeed('x')", "nodeNames": ["node"],
                                     "pythonNodeNames": ["node"]}, "lint": None}))
    proc = subprocess.run([sys.executable, str(REPO / "nix/tools/check_test_scripts.py"),
                           str(bad)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "undefined name 'nod'" in proc.stderr


@pytest.mark.parametrize(
    ("script", "seconds"),
    [
        ('web.wait_for_unit("a")', 900),
        ('web.wait_for_unit("a", timeout=60)', 60),
        ('web.wait_for_unit("a", None, 30)', 30),
        ('web.wait_until_succeeds("true", 20)', 20),
        ('web.succeed("true")', 0),
        ('web.succeed("true", timeout=5)', 5),
        ('web.execute("true")', 900),
        ('for u in ["a", "b", "c"]:\n    web.wait_for_unit(u, timeout=10)', 30),
        ('def f(_):\n    return bool(web.succeed("x"))\nretry(f, timeout_seconds=40)', 40),
        ('with subtest("x"):\n    web.wait_for_open_port(80, timeout=7)\n    if True:\n        web.wait_for_file("f", 3)', 10),
    ],
)
def test_wait_budget(script, seconds):
    assert wait_budget(script, ["web"], API) == (seconds, [])


def test_a_script_whose_waits_exceed_the_global_timeout_is_reported():
    tests = {"long": {"script": 'web.wait_for_unit("a", timeout=3000)\nweb.wait_for_unit("b", timeout=700)',
                      "nodeNames": ["web"], "pythonNodeNames": ["web"], "globalTimeout": 3600}}
    problems, _ = check_all(tests, API)
    assert any("add up to 3700 s, more than the driver's global timeout (3600 s)" in p for p in problems)
    tests["long"]["globalTimeout"] = 3700
    assert check_all(tests, API)[0] == []


def test_a_timeout_known_only_at_run_time_is_reported():
    _, problems = wait_budget("t = 5\nweb.wait_for_unit('a', timeout=t)", ["web"], API)
    assert problems and "give its timeout as a number" in problems[0]


def test_pyflakes_as_the_driver_runs_it():
    """The driver fails the test's build on any pyflakes message, an unused import too."""
    problems = pyflakes("import json\nstart_all()\nweb.succeed('x')\n", ["web"], API)
    assert len(problems) == 1 and "F401" in problems[0] and "json" in problems[0], problems
    assert pyflakes("start_all()\nweb.succeed('x')\nmachine.succeed('y')\n", ["web"], API) == []
    assert any("F821" in p for p in pyflakes("wbe.succeed('x')\n", ["web", "db"], API))
