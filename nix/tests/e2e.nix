# End to end: the single-node stack, seeded by the stack's seed (what scripts/stack-seed
# runs: einvoice-stack-seed of the stack's package), then the project's
# pytest smoke and integration suites (tests/stack) run inside the VM against its
# services, with the environment einvoice_stack/stack_env.py reads pointing at this
# machine's files. The suites' report (docs/VALIDATION_REPORT.md's format) is copied to
# the test's output directory.
# tests/ is copied into the store only when this test is built; its absence shows as a
# clear failure of the test run, not an evaluation error.
{
  pkgs,
  modules,
  resolved,
  repoSource,
  python,
  stackPackage,
}:
let
  p = resolved.ports;
  suite = repoSource "l10n-cr-einvoice-stack-tests" [
    "pyproject.toml"
    "stack"
    "tests"
  ];
  pythonEnv = python.withPackages (ps: [
    # the stack environment (einvoice_stack.stack_env) and settings the suites read
    stackPackage
    ps.pytest
    ps.requests
    # the printed invoice's text (tests/stack/test_integration.py)
    ps.pypdf2
  ]);
  report = "/tmp/stack-validation-report.md";
in
pkgs.testers.runNixOSTest {
  name = "l10n-cr-einvoice-staging-e2e";
  # every wait below has its own timeout; together they stay under this (the test driver
  # kills the whole test at the global timeout, before any wait could say what is wrong)
  globalTimeout = 6000;
  nodes.staging =
    { config, ... }:
    {
      imports = [ (import ./single-node.nix { inherit modules; }) ];
      services.l10n-cr-einvoice-staging.seed.command = pkgs.lib.getExe stackPackage;
      # (built for the test's interpreter: the same code as packages.stack); hacienda-cr
      # makes, signs and sends the demo supplier's documents (test_supplier_documents.py)
      environment.systemPackages = [
        pythonEnv
        config.services.l10n-cr-einvoice-staging.packages.hacienda-cr
      ];
    };
  testScript =
    { nodes, ... }:
    let
      stack = nodes.staging.services.l10n-cr-einvoice-staging;
      r = stack.resolved;
      # Every variable einvoice_stack/stack_env.py, conftest.py, test_smoke.py and
      # xsd_enumerations.py read. STACK_HOME is left unset on purpose: it names the
      # plain-host stack's state, whose absence tells the suites that every service
      # (exporters, Grafana) must be there rather than skipped.
      env = {
        STACK_URL = "http://127.0.0.1:${toString p.nginx}";
        STACK_SETTINGS = "/tmp/repo/stack/settings.toml";
        ODOO_URL = "http://${stack.hosts.odoo}:${toString p.odoo}";
        ODOO_DB = r.stack.database;
        ODOO_ADMIN_LOGIN = r.stack.admin_login;
        ODOO_ADMIN_PASSWORD_FILE = stack.secrets.adminPasswordFile;
        ODOO_DB_PASSWORD_FILE = stack.secrets.databasePasswordFile;
        HACIENDA_CREDENTIALS_FILE = stack.secrets.haciendaCredentialsFile;
        HACIENDA_SIMULATOR_URL = r.simulator.url;
        METRICS_TOKEN_FILE = stack.secrets.metricsTokenFile;
        SIMULATOR_CONTROL_TOKEN_FILE = stack.secrets.simulatorControlTokenFile;
        REDIS_PASSWORD_FILE = stack.secrets.redisPasswordFile;
        STACK_MAILDIR = stack.mailSink.maildir;
        HACIENDA_XSD_DIR = "${stack.packages.schemas}";
        GRAFANA_ADMIN_PASSWORD_FILE = stack.secrets.grafanaAdminPasswordFile;
        STACK_TEST_PKI_DIR = stack.testPki.directory;
        STACK_VALIDATION_REPORT = report;
      };
    in
    ''
      import json
      import shlex

      start_all()

      with subtest("the stack is up and seeded"):
          staging.wait_for_unit("l10n-cr-einvoice-smtp-sink.service", timeout=300)
          staging.wait_for_open_port(${toString p.smtp_sink}, timeout=60)
          # the first start installs the modules; the seed posts ten invoices and waits
          # for Hacienda's (the simulator's) answers
          staging.wait_for_unit("odoo.service", timeout=1800)
          staging.wait_for_unit("l10n-cr-einvoice-staging-seed.service", timeout=900)
          staging.wait_for_open_port(${toString p.nginx}, timeout=60)

      with subtest("the project's stack test suites pass inside the VM"):
          staging.succeed("test -d ${suite}/tests/stack || (echo 'tests/stack is missing from the repository' >&2; exit 1)")
          staging.succeed("cp -r ${suite} /tmp/repo && chmod -R u+w /tmp/repo")
          env = json.loads(${builtins.toJSON (builtins.toJSON env)})
          assignments = " ".join(f"{name}={shlex.quote(value)}" for name, value in sorted(env.items()))
          status, output = staging.execute(
              f"cd /tmp/repo && {assignments} "
              "${pythonEnv}/bin/python -m pytest -p no:cacheprovider -m stack tests/stack 2>&1",
              timeout=2400,
          )
          print(output)
          if staging.execute("test -s ${report}", timeout=10)[0] == 0:
              staging.copy_from_machine("${report}")
          t.assertEqual(status, 0, "tests/stack failed inside the VM (its report is in the test's output directory)")
    '';
}
