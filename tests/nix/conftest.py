"""Fixtures of the Nix validation tests; the helpers live in nix_harness (a unique module
name, so these tests can run in one pytest session with the other suites)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from nix_harness import FLAKE_FILES, REPO, _require_tools


@pytest.fixture(scope="session", autouse=True)
def nix_tools() -> None:
    _require_tools()


@pytest.fixture
def flake_copy(tmp_path: Path):
    """A copy of the flake (the files evaluation reads) to inject mistakes into."""
    dest = tmp_path / "flake"
    for rel in FLAKE_FILES:
        src = REPO / rel
        if src.is_dir():
            shutil.copytree(src, dest / rel, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest
