"""The eval harness declares nothing the project does not use: every option it mirrors
from upstream is set or read by the project's Nix code, or read by the upstream behaviour
the harness reproduces (a declaration nothing uses would let a misspelt option of the
project's evaluate here and fail against the real nixpkgs only if upstream lacks it -- and
it hides whether the harness was kept to what upstream does with the options used)."""

from __future__ import annotations

import json
import re
import subprocess

from nix_harness import NIXPKGS_LIB, REPO

HARNESS = REPO / "nix" / "eval-harness"
PROJECT = [*sorted((REPO / "nix").glob("modules/*.nix")), *sorted((REPO / "nix").glob("hosts/*.nix")),
           *sorted((REPO / "nix").glob("tests/*.nix")), *sorted((REPO / "nix").glob("packages/*.nix")),
           REPO / "flake.nix"]


def declarations() -> list[dict]:
    proc = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json",
                           str(REPO / "nix" / "tools" / "harness-declarations.nix"),
                           "--arg", "nixpkgsLib", f"{NIXPKGS_LIB}/lib"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def uses(name: str, text: str) -> int:
    """Occurrences of the option's last name that are not its own declaration."""
    word = re.escape(name)
    return len(re.findall(rf"\b{word}\b", text)) - len(re.findall(rf"\b{word}\s*=\s*(?:lib\.)?mkOption\b", text))


def test_every_declared_option_is_used():
    project = "".join(path.read_text(encoding="utf-8") for path in PROJECT)
    harness = "".join(path.read_text(encoding="utf-8") for path in HARNESS.rglob("*.nix"))
    unused = []
    for decl in declarations():
        last = decl["name"].split(".")[-1]
        if "._module." in decl["name"] or last in ("<name>", "*"):
            continue
        if uses(last, project) > 0 or uses(last, harness) > 0:
            continue
        unused.append(decl["name"])
    assert not unused, "declared by the eval harness, used by nothing: " + ", ".join(unused)


def test_the_check_sees_an_unused_declaration(tmp_path):
    # the guard above is not vacuous: an option nothing reads is reported
    text = "options.services.nginx.fooBarUnused = lib.mkOption { type = lib.types.bool; };"
    assert uses("fooBarUnused", text) == 0
    assert uses("proxyTimeout", "proxyTimeout = mkOption { }; ${cfg.proxyTimeout}") == 1
