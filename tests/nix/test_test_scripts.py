"""Check 3: the VM test scripts only call test-driver methods that exist and only name
nodes that exist (full Python AST check; the harness's Nix check is a coarser twin)."""

import json

import pytest
from check_test_scripts import check_all, check_script, load_api
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
