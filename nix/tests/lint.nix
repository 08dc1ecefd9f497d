# Lint: ruff over the Python code, and every .nix file must parse.
{
  pkgs,
  repoSource,
}:
let
  src = repoSource "l10n-cr-einvoice-lint" [
    "pyproject.toml"
    "src"
    "stack"
    "scripts"
    "tests"
    "nix"
    "flake.nix"
    "addon"
  ];
in
pkgs.runCommand "l10n-cr-einvoice-lint" { } ''
  cd ${src}
  ${pkgs.ruff}/bin/ruff check --no-cache .
  find . -name '*.nix' -print0 | xargs -0 -n1 ${pkgs.nix}/bin/nix-instantiate --parse > /dev/null
  touch $out
''
