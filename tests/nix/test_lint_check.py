"""checks.lint, emulated: the derivation's own build script, run as a build would run it --
as an unprivileged account, with the environment cleared (HOME=/homeless-shelter, no
writable Nix state: /nix/var belongs to root here, and does not exist in the sandbox) --
on its own filtered sources. The placeholder store paths of ruff and nix are this
machine's ruff (the venv's) and Debian's nix."""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from einvoice_stack.layout import RUNTIME_USER
from nix_harness import NIX, REPO, flake_ref, overrides

CHECK = "checks.x86_64-linux.lint"


def lint_derivation() -> dict:
    proc = subprocess.run([*NIX, "eval", "--json", *overrides(REPO), f"{flake_ref(REPO)}#{CHECK}",
                           "--apply", "d: { inherit (d) buildCommand; src = if d ? src then \"${d.src}\" else null; }"],
                          cwd=REPO, capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr
    drv = json.loads(proc.stdout)
    if drv["src"] is None:  # a script that names its sources' store path itself
        drv["src"] = re.search(r"cd (/nix/store/\S+)", drv["buildCommand"]).group(1)
    return drv


def run_like_a_build(script: str, src: str) -> subprocess.CompletedProcess:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    script = re.sub(r"/nix/store/[a-z0-9]{32}-ruff-[^/]*/bin/ruff", ruff, script)
    script = re.sub(r"/nix/store/[a-z0-9]{32}-nix-[^/]*/bin/(nix-\w+)", r"/usr/bin/\1", script)
    assert "/nix/store" not in script.replace(src, ""), script
    account = pwd.getpwnam(RUNTIME_USER) if os.geteuid() == 0 else None
    build = Path(tempfile.mkdtemp(prefix="lint-build-"))
    try:
        if account:
            os.chown(build, account.pw_uid, account.pw_gid)
        env = {"PATH": "/usr/bin:/bin", "HOME": "/homeless-shelter", "TMPDIR": str(build),
               "NIX_BUILD_TOP": str(build), "out": str(build / "out"), "src": src}
        demote = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []} if account else {}
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=build, env=env, capture_output=True,
                              text=True, check=False, timeout=600, **demote)
        proc.out_exists = (build / "out").exists()
        return proc
    finally:
        shutil.rmtree(build, ignore_errors=True)


def test_the_lint_check_builds_in_a_sandbox_like_environment():
    drv = lint_derivation()
    proc = run_like_a_build(drv["buildCommand"], drv["src"])
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.out_exists


def test_parsing_without_its_own_nix_state_fails_there():
    """What the check did before: nix-instantiate --parse with the default state directory,
    which a build cannot create -- this environment shows that failure."""
    proc = run_like_a_build("nix-instantiate --parse $src/flake.nix > /dev/null && touch $out",
                            lint_derivation()["src"])
    assert proc.returncode != 0
    assert "/nix/var" in proc.stderr, proc.stderr
