"""checks.python-tests, emulated: its own source filter applied to the tree (the filtered
copy evaluation puts in the store), and the suite run from that copy with the shared
material the check gives it (the XSDs of the schemas package, the pinned samples and PKI
certificates). Only the interpreter differs: this venv instead of the check's Python
environment, whose packages are checked against what the suite imports."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nix_harness import NIX, REPO, flake_ref, overrides

CHECK = "checks.x86_64-linux.python-tests"


def nix_eval(attr: str, *extra: str) -> str:
    proc = subprocess.run([*NIX, "eval", *extra, *overrides(REPO), f"{flake_ref(REPO)}#{attr}"],
                          cwd=REPO, capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_pinned_shared_material_is_what_the_tests_read(shared_dir):
    """The samples and PKI certificates requireFile pins are this shared material, and the
    shared XSDs are the bytes the schemas package fetches (schema_sources.json)."""
    pinned = json.loads((REPO / "tests" / "shared-material.json").read_text())
    shared = shared_dir
    for name in ("samples", "pki"):
        proc = subprocess.run([*NIX, "hash", "path", "--type", "sha256", "--base32", str(shared / name)],
                              capture_output=True, text=True, check=True)
        assert proc.stdout.strip() == pinned[name], f"tests/shared-material.json: {name} changed"
    sources = json.loads((REPO / "src" / "hacienda_cr" / "schema_sources.json").read_text())
    for set_name, entry in sources["sets"].items():
        for file, sha in entry["files"].items():
            assert hashlib.sha256((shared / "xsd" / set_name / file).read_bytes()).hexdigest() == sha


@pytest.fixture(scope="module")
def filtered_copy(tmp_path_factory) -> Path:
    src = Path(nix_eval(f"{CHECK}.src", "--raw"))
    assert src.is_dir(), f"evaluating {CHECK}.src did not put the filtered source in the store"
    copy = tmp_path_factory.mktemp("python-tests") / "repo"
    shutil.copytree(src, copy, symlinks=True)
    for path in [copy, *copy.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o200)
    return copy


def test_the_suite_passes_from_the_checks_sources(filtered_copy, tmp_path, shared_dir):
    shared = tmp_path / "shared"
    source = shared_dir
    (shared / "xsd").mkdir(parents=True)
    for set_name in ("v4.4", "v4.4-2026"):
        shutil.copytree(source / "xsd" / set_name, shared / "xsd" / set_name)
    shutil.copy(source / "xmldsig-core-schema.xsd", shared)
    for name in ("samples", "pki"):
        shutil.copytree(source / name, shared / name)
    env = {**os.environ, "HACIENDA_SHARED_DIR": str(shared), "HACIENDA_XSD_DIR": str(shared / "xsd"),
           "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-m",
                           "not stack and not slow", "--ignore=tests/stack", "--ignore=tests/nix", "tests"],
                          cwd=filtered_copy, env=env, capture_output=True, text=True, check=False, timeout=3000)
    tail = "\n".join(proc.stdout.splitlines()[-30:])
    assert proc.returncode == 0, f"the suite fails from checks.python-tests' sources:\n{tail}\n{proc.stderr[-2000:]}"


# module imported by the suites -> the package of the check's environment providing it
PROVIDERS = {"hacienda_cr": "hacienda-cr", "einvoice_stack": "l10n-cr-einvoice-stack",
             "prometheus_client": "prometheus-client", "pytest": "pytest", "hypothesis": "hypothesis",
             "freezegun": "freezegun", "psycopg2": "psycopg2",
             "requests": "requests", "redis": "redis", "cryptography": "cryptography", "lxml": "lxml"}


def test_the_checks_python_has_what_the_suite_imports(filtered_copy):
    env = json.loads(nix_eval(f"{CHECK}.pythonEnv", "--json", "--apply", """e: map (p: {
      name = p.pname or p.name;
      deps = map (d: d.pname or d.name) (p.propagatedBuildInputs or [ ]);
    }) e.packages"""))
    provided = {p["name"] for p in env} | {d for p in env for d in p["deps"]}
    local = {path.stem for path in (filtered_copy / "tests").rglob("*.py")}
    imported = set()
    for path in filtered_copy.joinpath("tests").rglob("*.py"):
        if {"stack", "nix"} & set(path.relative_to(filtered_copy / "tests").parts[:1]):
            continue
        imported |= set(re.findall(r"^\s*(?:from|import) ([A-Za-z_]\w*)", path.read_text(encoding="utf-8"), re.M))
    third_party = sorted(imported - set(sys.stdlib_module_names) - local - {"__future__"})
    missing = [name for name in third_party if PROVIDERS.get(name) not in provided]
    assert not missing, f"imported by the suite, not in checks.python-tests' Python: {missing}"
