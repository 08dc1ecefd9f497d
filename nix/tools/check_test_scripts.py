"""Check NixOS VM test scripts against the real test-driver API, without running them.

Input: the JSON `scripts/nix-check` gets from `nix eval` of every check's `harness`
attribute (the eval harness's runNixOSTest stand-in exposes the script and the node
names): {"<check>": {"script": "...", "nodeNames": [...], "pythonNodeNames": [...]}}.

For each script: it must be valid Python; every name it reads must be defined (by the
script, Python's builtins, the driver's globals, or a node of that test); every method
called on a node must be a method of the driver's Machine; attributes read from a node
must exist. The driver's API is nix/eval-harness/testing/test-driver-api.json, taken
from nixpkgs' nixos/lib/test-driver.

    nix eval --json ... | python3 nix/tools/check_test_scripts.py -
"""

from __future__ import annotations

import ast
import builtins
import json
import re
import sys
from pathlib import Path

API_FILE = Path(__file__).resolve().parent.parent / "eval-harness" / "testing" / "test-driver-api.json"


def load_api(path: Path = API_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _bound_names(tree: ast.AST) -> set[str]:
    """Every name the script binds anywhere (scopes are not tracked: good enough to tell
    a typo from a variable)."""
    names: set[str] = set()

    def targets(node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                names.add(sub.id)

    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for t in node.targets if isinstance(node, ast.Assign) else [node.target]:
                targets(t)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            targets(node.target)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets(node.optional_vars)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.NamedExpr):
            targets(node.target)
    return names


def check_script(script: str, node_names: list[str], api: dict, test: str = "test") -> list[str]:
    """Problems found in one test script (empty list: fine)."""
    try:
        tree = ast.parse(script, filename=f"<testScript of {test}>")
    except SyntaxError as exc:
        return [f"{test}: testScript is not valid Python: {exc.msg} (line {exc.lineno})"]
    machines = {name.replace("-", "_") for name in node_names}
    if len(node_names) == 1:
        machines.add("machine")
    methods = set(api["machine_methods"])
    attributes = methods | set(api["machine_attributes"])
    known = (
        set(dir(builtins)) | set(api["globals"]) | machines | _bound_names(tree)
    )
    problems: list[str] = []
    if not node_names:
        problems.append(f"{test}: the test has no nodes")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id not in known and not re.fullmatch(r"vlan\d+", node.id):
                hint = f" (nodes: {', '.join(sorted(machines))})" if node.id not in machines else ""
                problems.append(f"{test}: line {node.lineno}: undefined name {node.id!r}{hint}")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in machines
            and node.value.id not in _shadowed(tree, node.value.id)
        ):
            if node.attr not in attributes:
                problems.append(
                    f"{test}: line {node.lineno}: {node.value.id}.{node.attr}: the NixOS test "
                    f"driver's Machine has no {node.attr!r}"
                )
    return problems


def _shadowed(tree: ast.AST, name: str) -> set[str]:
    # a script may rebind a node's name (rare); then it is no longer a Machine
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name) and t.id == name:
                    return {name}
    return set()


def check_all(tests: dict, api: dict) -> tuple[list[str], int]:
    problems: list[str] = []
    checked = 0
    for test, data in sorted(tests.items()):
        if data is None:  # a check that is not a VM test
            continue
        checked += 1
        problems += check_script(data["script"], data["nodeNames"], api, test)
    return problems, checked


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: check_test_scripts.py <json file or ->", file=sys.stderr)
        return 2
    raw = sys.stdin.read() if argv[1] == "-" else Path(argv[1]).read_text(encoding="utf-8")
    try:
        tests = json.loads(raw)
    except json.JSONDecodeError as exc:
        print(f"check_test_scripts: input is not JSON: {exc}", file=sys.stderr)
        return 2
    problems, checked = check_all(tests, load_api())
    for problem in problems:
        print(f"testScript: {problem}", file=sys.stderr)
    print(f"testScript check: {checked} VM test script(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
