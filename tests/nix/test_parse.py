"""Check 1: every .nix file of the repository parses."""

import subprocess

from nix_harness import REPO


def _nix_files():
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", "*.nix"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split()
    return [REPO / f for f in out]


def test_every_nix_file_parses():
    files = _nix_files()
    assert len(files) > 30, "expected the flake, modules, packages, tests and harness"
    bad = []
    for f in files:
        proc = subprocess.run(["nix-instantiate", "--parse", str(f)], capture_output=True,
                              text=True)
        if proc.returncode != 0:
            bad.append(f"{f.relative_to(REPO)}: {proc.stderr.strip()}")
    assert not bad, "\n".join(bad)


def test_a_syntax_error_is_caught(tmp_path):
    broken = tmp_path / "broken.nix"
    broken.write_text((REPO / "nix/modules/redis.nix").read_text().replace("in\n", "in in\n", 1))
    proc = subprocess.run(["nix-instantiate", "--parse", str(broken)], capture_output=True,
                          text=True)
    assert proc.returncode != 0
    assert "syntax error" in proc.stderr
