# The Python test suites that need neither a running stack nor Nix (tests/lib,
# tests/scripts, tests/stack_package), on Odoo's interpreter with the test extras. Their
# sources are what the suites read: tests/nix/test_python_tests_check.py applies this
# very filter to a copy of the tree and runs the suite from it.
# Hacienda's shared material is not in the repository: the XSDs come from the schemas
# package (fetched, pinned by SHA-256), the samples and PKI certificates the tests read
# with requireFile (pinned in tests/shared-material.json; add them to the store first,
# docs/nix.md "Pinned nixpkgs").
{
  lib,
  pkgs,
  repoRoot,
  repoSource,
  python,
  hacienda-cr,
  einvoice-stack,
  schemas,
}:
let
  src = repoSource "l10n-cr-einvoice-python-tests" [
    "pyproject.toml"
    "src"
    "stack"
    "tests"
    # read by the suites: the documented examples, the table of the annex's rules (generated
    # and checked by tests/lib/test_annex_rules.py), the addons' sources (metric names,
    # manifests), the test report helper of scripts/odoo-test, the fault test's measures
    # (tests/scripts/test_odoo_faults.py), the XSD model generator
    "docs/examples"
    "docs/rules.md"
    "addon"
    "scripts/lib"
    "scripts/bench"
    "tools"
  ];
  pinned = lib.importJSON (repoRoot + "/tests/shared-material.json");
  material =
    name:
    pkgs.requireFile {
      name = "hacienda-shared-${name}";
      sha256 = pinned.${name};
      hashMode = "recursive";
      message = ''
        The library's tests read Hacienda's shared material (${name}/), which is not in the
        repository and cannot be downloaded. Add it to the Nix store with
          nix-store --add-fixed --recursive sha256 <shared>/hacienda/${name}
        (docs/nix.md), then build again.
      '';
    };
  # HACIENDA_SHARED_DIR as the tests expect it (tests/conftest.py)
  shared = pkgs.runCommand "hacienda-shared-for-tests" { } ''
    mkdir -p $out/xsd
    cp -r ${schemas}/v4.4 ${schemas}/v4.4-2026 $out/xsd/
    cp ${schemas}/xmldsig-core-schema.xsd $out/
    cp -r ${material "samples"} $out/samples
    cp -r ${material "pki"} $out/pki
  '';
  pythonEnv = python.withPackages (
    ps:
    [
      hacienda-cr
      einvoice-stack
      ps.pytest
      ps.hypothesis
      ps.freezegun
      ps.pytest-benchmark
      ps.requests
      # the fault test's sampler reads PostgreSQL (tests/scripts/test_odoo_faults.py)
      ps.psycopg2
    ]
    ++ hacienda-cr.optional-dependencies.cache
    ++ hacienda-cr.optional-dependencies.metrics
  );
in
pkgs.runCommand "l10n-cr-einvoice-python-tests"
  {
    inherit src;
    # tests/stack_package start throw-away PostgreSQL clusters (as this build's user)
    nativeBuildInputs = [ pkgs.postgresql_15 ];
    passthru = { inherit pythonEnv shared; };
  }
  ''
    cp -r $src repo && chmod -R u+w repo && cd repo
    export HACIENDA_SHARED_DIR=${shared} HACIENDA_XSD_DIR=${shared}/xsd
    export PG_BIN=${pkgs.postgresql_15}/bin L10N_CR_RUNTIME_USER="$(id -un)"
    ${pythonEnv}/bin/python -m pytest -p no:cacheprovider -m "not stack and not slow" \
      --ignore=tests/stack --ignore=tests/nix tests
    touch $out
  ''
