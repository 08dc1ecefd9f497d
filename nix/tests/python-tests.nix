# The library's test suite (everything but the stack and Nix suites, which need a
# running stack or Nix itself), on Odoo's interpreter with the test extras.
{
  pkgs,
  repoSource,
  python,
  hacienda-cr,
}:
let
  src = repoSource "l10n-cr-einvoice-python-tests" [
    "pyproject.toml"
    "src"
    "stack"
    "tests"
  ];
  env = python.withPackages (
    ps:
    [
      hacienda-cr
      ps.pytest
      ps.hypothesis
      ps.pytest-benchmark
    ]
    ++ hacienda-cr.optional-dependencies.cache
    ++ hacienda-cr.optional-dependencies.metrics
  );
in
pkgs.runCommand "l10n-cr-einvoice-python-tests" { } ''
  cp -r ${src} repo && chmod -R u+w repo && cd repo
  ${env}/bin/python -m pytest -p no:cacheprovider -m "not stack and not slow" \
    --ignore=tests/stack --ignore=tests/nix tests
  touch $out
''
