# Stand-in for nixpkgs' lib.nixosSystem (nixos/lib/eval-config.nix): lib.evalModules over
# the mirrored option declarations in ./nixos, with `pkgs` taken from
# nixpkgs.hostPlatform like nixos/modules/misc/nixpkgs.nix does.
{ lib, pkgsFor }:
let
  baseModules = import ./nixos/module-list.nix;
in
{
  modules,
  specialArgs ? { },
  # eval-config.nix still accepts `system`; prefer nixpkgs.hostPlatform
  system ? null,
  # extra modules the caller wants evaluated as base modules (test nodes, vm variant)
  extraBaseModules ? [ ],
}:
lib.evalModules {
  class = "nixos";
  specialArgs = {
    modulesPath = toString ./nixos;
    harness = { inherit pkgsFor; };
  }
  // specialArgs;
  modules =
    baseModules
    ++ extraBaseModules
    ++ lib.optional (system != null) { nixpkgs.hostPlatform = lib.mkDefault system; }
    ++ modules;
}
