# End to end: the single-node stack, seeded, then the project's pytest smoke and
# integration suites (tests/stack) run inside the VM against its services.
# tests/ is copied into the store only when this test is built; its absence shows as a
# clear failure of the test run, not an evaluation error.
{
  pkgs,
  modules,
  resolved,
  repoSource,
  python,
  seedCommand,
}:
let
  p = resolved.ports;
  suite = repoSource "l10n-cr-einvoice-stack-tests" [
    "pyproject.toml"
    "stack"
    "tests"
  ];
  pythonEnv = python.withPackages (ps: [
    ps.pytest
    ps.requests
  ]);
in
pkgs.testers.runNixOSTest {
  name = "l10n-cr-einvoice-staging-e2e";
  nodes.staging = {
    imports = [ (import ./single-node.nix { inherit modules; }) ];
    services.l10n-cr-einvoice-staging.seed.command = seedCommand;
    environment.systemPackages = [ pythonEnv ];
  };
  testScript = ''
    start_all()

    with subtest("the stack is up and seeded"):
        staging.wait_for_unit("odoo.service", timeout=1800)
        staging.wait_for_unit("l10n-cr-einvoice-staging-seed.service", timeout=1800)
        staging.wait_for_open_port(${toString p.nginx})

    with subtest("the project's stack test suites pass inside the VM"):
        staging.succeed("test -d ${suite}/tests/stack || (echo 'tests/stack is missing from the repository' >&2; exit 1)")
        staging.succeed(
            "cp -r ${suite} /tmp/repo && chmod -R u+w /tmp/repo && cd /tmp/repo && "
            "STACK_URL=http://127.0.0.1:${toString p.nginx} "
            "STACK_SETTINGS=/tmp/repo/stack/settings.toml "
            "ODOO_ADMIN_PASSWORD_FILE=/var/lib/l10n-cr-einvoice-staging/secrets/odoo-admin-password "
            "HACIENDA_CREDENTIALS_FILE=/var/lib/l10n-cr-einvoice-staging/secrets/hacienda-credentials "
            "METRICS_TOKEN_FILE=/var/lib/l10n-cr-einvoice-staging/secrets/metrics-token "
            "${pythonEnv}/bin/python -m pytest -p no:cacheprovider -m stack tests/stack",
            timeout=3600,
        )
  '';
}
