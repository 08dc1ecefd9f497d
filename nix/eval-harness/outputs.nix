# The nixpkgs flake outputs the project uses: lib (with nixosSystem), legacyPackages.
{ lib }:
let
  systems = [
    "x86_64-linux"
    "aarch64-linux"
  ];
  pkgsFor = lib.genAttrs systems (system: import ./pkgs { inherit lib system nixosSystem; });
  nixosSystem = import ./nixos-system.nix { inherit lib pkgsFor; };
in
{
  lib = lib.extend (_final: _prev: { inherit nixosSystem; });
  legacyPackages = pkgsFor;
  # Lets tests/nix assert that they evaluate against the harness, not real nixpkgs.
  isEvalHarness = true;
}
