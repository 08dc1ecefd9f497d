"""Helpers for the Nix validation tests (docs/nix.md, "Validation where Nix
cannot build"). These tests need `nix` (Debian's nix-bin) and nixpkgs' lib at
$NIXPKGS_LIB (default /opt/nixpkgs-lib); without them they fail -- scripts/nix-check
installs nix-bin -- rather than skip, so CI cannot pass without running them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NIXPKGS_LIB = Path(os.environ.get("NIXPKGS_LIB", "/opt/nixpkgs-lib"))
NIX = ["nix", "--extra-experimental-features", "nix-command flakes",
       "--option", "substituters", "", "--option", "warn-dirty", "false"]
# What a flake copy needs: everything the flake reads at evaluation time.
FLAKE_FILES = ["flake.nix", "flake.lock", "pyproject.toml", "README.md", "nix", "stack",
               "src/hacienda_cr/schema_sources.json", "src/hacienda_cr/pki_sources.json", "tests/nix",
               "tests/shared-material.json"]

sys.path.insert(0, str(REPO / "nix" / "tools"))


def _require_tools() -> None:
    missing = []
    if shutil.which("nix") is None or shutil.which("nix-instantiate") is None:
        missing.append("nix (apt-get install nix-bin; scripts/nix-check does it)")
    if not (NIXPKGS_LIB / "lib" / "default.nix").is_file():
        missing.append(f"nixpkgs lib at NIXPKGS_LIB={NIXPKGS_LIB}")
    if missing:
        pytest.fail("tests/nix need " + " and ".join(missing), pytrace=False)


def overrides(flake_dir: Path) -> list[str]:
    return ["--no-write-lock-file",
            "--override-input", "nixpkgs", f"path:{flake_dir}/nix/eval-harness",
            "--override-input", "nixpkgs/lib", f"path:{NIXPKGS_LIB}"]


def flake_ref(flake_dir: Path) -> str:
    return f"git+file://{flake_dir}" if flake_dir == REPO else f"path:{flake_dir}"


def nix_run(args: list[str], flake_dir: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(NIX + args, cwd=flake_dir, capture_output=True, text=True,
                          timeout=600)


# Outputs `nix flake check` (Nix 2.8) does not evaluate deeply; scripts/nix-check
# evaluates them explicitly, and so does flake_check() below.
EXTRA_EVALS = ["nixosConfigurations.staging.config.system.build.vm.drvPath",
               "apps.x86_64-linux.staging.program"]


def flake_check(flake_dir: Path) -> subprocess.CompletedProcess:
    """What scripts/nix-check's step 2 runs: nix flake check --no-build, then the extra
    evaluations. Returns the first failing process (or the last one)."""
    proc = nix_run(["flake", "check", "--no-build", *overrides(flake_dir),
                    flake_ref(flake_dir)], flake_dir)
    if proc.returncode != 0:
        return proc
    for attr in EXTRA_EVALS:
        proc = nix_run(["eval", "--raw", *overrides(flake_dir),
                        f"{flake_ref(flake_dir)}#{attr}"], flake_dir)
        if proc.returncode != 0:
            return proc
    return proc


def nix_eval_json(attr: str, flake_dir: Path = REPO, apply: str | None = None):
    args = ["eval", "--json", *overrides(flake_dir), f"{flake_ref(flake_dir)}#{attr}"]
    if apply:
        args += ["--apply", apply]
    proc = nix_run(args, flake_dir)
    assert proc.returncode == 0, f"nix eval {attr} failed:\n{proc.stderr}"
    return json.loads(proc.stdout)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: {old!r} not found (the test's injection point moved)"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
