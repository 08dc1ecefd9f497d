# Evaluation harness: a stand-in for the nixpkgs flake input, for machines that cannot
# fetch or build nixpkgs (this project's CI). It keeps nixpkgs' real `lib` (input `lib`,
# overridden with --override-input nixpkgs/lib path:$NIXPKGS_LIB) and adds
#   - declarations mirroring the upstream NixOS options the project uses (nixos/),
#   - placeholder packages that evaluate but cannot build (pkgs/),
#   - `lib.nixosSystem` and `testers.runNixOSTest` stand-ins (nixos-system.nix, testing/).
# See docs/nix.md, "Validation where Nix cannot build".
{
  description = "Evaluation-only stand-in for nixpkgs (l10n-cr-einvoice CI)";

  inputs.lib.url = "path:/opt/nixpkgs-lib";

  outputs = { self, lib }: import ./outputs.nix { lib = lib.lib; };
}
