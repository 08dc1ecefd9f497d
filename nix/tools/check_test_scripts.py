"""Check NixOS VM test scripts against the real test-driver API, without running them.

Input: the JSON `scripts/nix-check` gets from `nix eval` of every check's `harness`
attribute (the eval harness's runNixOSTest stand-in exposes the script and the node
names): {"<check>": {"script": "...", "nodeNames": [...], "pythonNodeNames": [...]}}.

For each script: it must be valid Python; every name it reads must be defined (by the
script, Python's builtins, the driver's globals, or a node of that test); every method
called on a node must be a method of the driver's Machine; attributes read from a node
must exist. The waits of the script (each with its timeout, or the driver's default) must
add up to no more than the test's globalTimeout: past it the driver kills the whole test,
before the wait that hangs could say what did not come up. The driver's API is
nix/eval-harness/testing/test-driver-api.json, taken from nixpkgs' nixos/lib/test-driver.

    nix eval --json ... | python3 nix/tools/check_test_scripts.py -
"""

from __future__ import annotations

import ast
import builtins
import json
import re
import shutil
import subprocess
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


def _timeout_of(call: ast.Call, spec: dict) -> int | None:
    """The seconds a call may wait: its timeout argument, else the driver's default;
    None when the script leaves it to an expression only known at run time."""
    arg = next((kw.value for kw in call.keywords if kw.arg == spec["keyword"]), None)
    if arg is None and spec["position"] is not None and len(call.args) > spec["position"]:
        arg = call.args[spec["position"]]
    if arg is None:
        return spec["default"]
    try:
        value = ast.literal_eval(arg)
    except ValueError:
        return None
    return 0 if value is None and spec["default"] == 0 else value


def _calls_seconds(roots: list[ast.AST], machines: set[str], api: dict, problems: list[str], test: str) -> int:
    total = 0
    for root in roots:
        for node in ast.walk(root):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                    and func.value.id in machines and func.attr in api["timeouts"]):
                name = func.attr
            elif isinstance(func, ast.Name) and func.id == "retry":
                name = "retry"
            else:
                continue
            seconds = _timeout_of(node, api["timeouts"][name])
            if seconds is None:
                problems.append(f"{test}: line {node.lineno}: {name}(): give its timeout as a number "
                                "(the waits are checked against the global timeout)")
            else:
                total += seconds
    return total


def _wait_seconds(statements: list[ast.stmt], machines: set[str], api: dict, problems: list[str],
                  test: str) -> int:
    """Worst-case seconds of these statements, in order: a loop over a literal list counts
    once per item; a function's body counts where it is called (retry's own timeout)."""
    total = 0
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(statement, ast.For):
            repeat = len(statement.iter.elts) if isinstance(statement.iter, (ast.List, ast.Tuple)) else 1
            total += repeat * _wait_seconds(statement.body, machines, api, problems, test)
        elif isinstance(statement, (ast.With, ast.If, ast.While, ast.Try)):
            heads = [*getattr(statement, "items", []), *([statement.test] if hasattr(statement, "test") else [])]
            total += _calls_seconds(heads, machines, api, problems, test)
            for block in (statement.body, getattr(statement, "orelse", []), getattr(statement, "finalbody", [])):
                total += _wait_seconds(block, machines, api, problems, test)
            for handler in getattr(statement, "handlers", []):
                total += _wait_seconds(handler.body, machines, api, problems, test)
        else:
            total += _calls_seconds([statement], machines, api, problems, test)
    return total


def wait_budget(script: str, node_names: list[str], api: dict, test: str = "test") -> tuple[int, list[str]]:
    """(worst-case seconds the script waits, problems)."""
    machines = {name.replace("-", "_") for name in node_names}
    if len(node_names) == 1:
        machines.add("machine")
    problems: list[str] = []
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return 0, problems  # reported by check_script
    return _wait_seconds(tree.body, machines, api, problems, test), problems


def pyflakes(script: str, node_names: list[str], api: dict, test: str = "test") -> list[str]:
    """What the driver's own lint finds: nixos/lib/testing/driver.nix runs pyflakes on the
    script (the nodes and the driver's symbols as builtins) and fails the test's build on
    any message -- an unused import too. ruff's F rules are pyflakes' checks."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    names = [name.replace("-", "_") for name in node_names] + list(api["globals"])
    if len(node_names) == 1:
        names.append("machine")
    proc = subprocess.run(
        [ruff, "check", "--isolated", "--select", "F", "--output-format", "concise",
         "--config", f"builtins = {json.dumps(names)}", "--stdin-filename", "testScript.py", "-"],
        input=script, capture_output=True, text=True, check=False)
    if proc.returncode == 0:
        return []
    return [f"{test}: pyflakes: {line.split(':', 1)[1].strip()}" for line in proc.stdout.splitlines()
            if line.startswith("testScript.py:")]


def check_all(tests: dict, api: dict) -> tuple[list[str], int]:
    problems: list[str] = []
    checked = 0
    for test, data in sorted(tests.items()):
        if data is None:  # a check that is not a VM test
            continue
        checked += 1
        problems += check_script(data["script"], data["nodeNames"], api, test)
        problems += pyflakes(data["script"], data["nodeNames"], api, test)
        seconds, budget_problems = wait_budget(data["script"], data["nodeNames"], api, test)
        problems += budget_problems
        limit = data.get("globalTimeout") or api["global_timeout_default"]
        if seconds > limit:
            problems.append(f"{test}: the script's waits add up to {seconds} s, more than the driver's global "
                            f"timeout ({limit} s): raise globalTimeout or shorten the waits")
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
