# Lint: ruff over the Python code, and every .nix file must parse. nix-instantiate needs
# a Nix state and store directory even to parse; the build sandbox has neither (no
# /nix/var, HOME=/homeless-shelter), so it gets its own in the build directory, as
# nixpkgs' ci/parse.nix does. tests/nix/test_lint_check.py runs this script in such an
# environment.
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
pkgs.runCommand "l10n-cr-einvoice-lint" { inherit src; } ''
  export NIX_STORE_DIR=$TMPDIR/store NIX_STATE_DIR=$TMPDIR/state
  ${pkgs.nix}/bin/nix-store --init
  cd $src
  ${pkgs.ruff}/bin/ruff check --no-cache .
  find . -name '*.nix' -print0 | xargs -0 -n1 ${pkgs.nix}/bin/nix-instantiate --parse > /dev/null
  touch $out
''
