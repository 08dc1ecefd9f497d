"""Proof that the evaluation checks catch what they claim to: each test injects one
mistake into a copy of the flake and asserts `nix flake check --no-build` (the CI
command, against the eval harness) fails, naming the problem."""

import pytest
from nix_harness import edit, flake_check

CASES = {
    "misspelled option of the project's module": (
        "nix/hosts/staging.nix",
        "      listenAddress = \"0.0.0.0\";",
        "      listenAdress = \"0.0.0.0\";",
        "listenAdress",
    ),
    "misspelled upstream option (nginx location)": (
        "nix/modules/nginx.nix",
        "      proxyPass = loc.proxy_pass;",
        "      proxyPas = loc.proxy_pass;",
        "proxyPas",
    ),
    "wrong type (workers as a string)": (
        "nix/hosts/staging.nix",
        "    enable = true;\n    secrets = {",
        "    enable = true;\n    workers = \"two\";\n    secrets = {",
        "workers",
    ),
    "wrong type of an upstream option (prometheus port)": (
        "nix/modules/monitoring.nix",
        "        port = p.listen.port;",
        "        port = toString p.listen.port;",
        "services.prometheus.port",
    ),
    "missing secret file option": (
        "nix/hosts/staging.nix",
        '      metricsTokenFile = "${secretsDir}/metrics-token";\n',
        "",
        "secrets.metricsTokenFile",
    ),
    "secret put in the Nix store": (
        "nix/hosts/staging.nix",
        'databasePasswordFile = "${secretsDir}/db-password";',
        "databasePasswordFile = ./db-password;",
        "databasePasswordFile",
    ),
    "undefined test node": (
        "nix/tests/smoke.nix",
        '        staging.succeed("curl -fsS http://127.0.0.1:${toString p.nginx}/health',
        '        stagin.succeed("curl -fsS http://127.0.0.1:${toString p.nginx}/health',
        "stagin is not a node",
    ),
    "test-driver method that does not exist": (
        "nix/tests/split.nix",
        '        db.wait_for_unit("postgresql.target", timeout=300)',
        '        db.wait_for_units("postgresql.target", timeout=300)',
        "has no method wait_for_units",
    ),
    "misspelled option of a test (runNixOSTest)": (
        "nix/tests/split.nix",
        "  testScript = ''",
        "  testscript = ''",
        "testscript",
    ),
    "wrong systemd value": (
        "nix/modules/simulator.nix",
        '      Restart = "on-failure";',
        '      Restart = "sometimes";',
        "Restart",
    ),
    "unknown package attribute": (
        "nix/packages/odoo.nix",
        "    ++ [ hacienda-cr ]",
        "    ++ [ hacienda-cr hacienda-cr.optional-dependencies.pdf ]",
        "pdf",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_injected_mistake_fails_the_flake_check(flake_copy, case):
    rel, old, new, expected = CASES[case]
    edit(flake_copy / rel, old, new)
    proc = flake_check(flake_copy)
    assert proc.returncode != 0, f"{case}: nix flake check passed with the mistake"
    assert expected in proc.stderr, f"{case}: error does not name {expected!r}:\n{proc.stderr}"


def test_the_unmodified_copy_passes(flake_copy):
    # the injections above are the only reason those copies fail
    proc = flake_check(flake_copy)
    assert proc.returncode == 0, proc.stderr
