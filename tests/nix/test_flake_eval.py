"""Check 2: `nix flake check --no-build` with nixpkgs replaced by the eval harness, and
the outputs the issue asks for are there."""

import json

from nix_harness import REPO, flake_check, nix_eval_json


def test_flake_check_passes_on_the_repository():
    proc = flake_check(REPO)
    assert proc.returncode == 0, proc.stderr


def test_the_harness_is_what_was_evaluated():
    # guards against a silently real nixpkgs (or none) being used
    assert nix_eval_json("checks.x86_64-linux.smoke.harness.nodeNames") == ["staging"]


def test_outputs():
    names = "builtins.mapAttrs (system: builtins.attrNames)"
    packages = nix_eval_json("packages", apply=names)
    checks = nix_eval_json("checks", apply=names)
    assert set(packages["x86_64-linux"]) >= {
        "hacienda-cr", "hacienda-cr-pki", "hacienda-cr-schemas", "l10n-cr-einvoice-addons", "odoo-l10n-cr",
        "oci-odoo", "oci-simulator", "default"}
    assert packages["aarch64-linux"] == packages["x86_64-linux"]
    assert set(checks["x86_64-linux"]) == {"smoke", "e2e", "split", "python-tests", "lint"}
    assert set(checks["aarch64-linux"]) == {"python-tests", "lint"}
    assert nix_eval_json("apps.x86_64-linux.staging.program").endswith(
        "/bin/run-l10n-cr-staging-vm")
    assert nix_eval_json("devShells", apply=names)["x86_64-linux"] == ["default"]
    assert nix_eval_json("formatter.x86_64-linux.name").startswith("nixfmt")


def test_split_test_has_three_machines_with_their_parts_and_a_visitor():
    roles = nix_eval_json(
        "checks.x86_64-linux.split.nodes",
        apply="ns: builtins.mapAttrs (n: c: c.services.l10n-cr-einvoice-staging.roles or null) ns",
    )
    on = {node: sorted(r for r, enabled in (rs or {}).items() if enabled) for node, rs in roles.items()}
    assert on == {"proxy": ["monitoring", "proxy"], "app": ["odoo", "simulator"],
                  "db": ["database", "redis"], "visitor": []}


def test_schemas_are_fetched_by_pinned_sha256():
    sources = json.loads((REPO / "src/hacienda_cr/schema_sources.json").read_text())
    expected = {
        name: ([entry["url"]], entry["sha256"]) for name, entry in sources["common"].items()
    }
    for set_name, s in sources["sets"].items():
        for file, sha in s["files"].items():
            expected[f"{set_name}/{file}"] = ([s["base_url"] + file], sha)
    files = nix_eval_json("packages.x86_64-linux.hacienda-cr-schemas.files")
    got = {f["target"]: (f["urls"], f["outputHash"]) for f in files}
    assert got == expected
