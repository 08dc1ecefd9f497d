# Every option the eval harness declares for the upstream modules the project uses, with
# the files declaring it: tests/nix/test_harness_declarations.py checks each one is used.
{ nixpkgsLib, repo ? ../.. }:
let
  lib = import nixpkgsLib;
  harness = import (repo + "/nix/eval-harness/outputs.nix") { inherit lib; };
  system = harness.lib.nixosSystem {
    modules = [ (repo + "/nix/hosts/staging.nix") { nixpkgs.hostPlatform = "x86_64-linux"; } ];
  };
  o = system.options;
  docs = opts: map (d: { inherit (d) name; declarations = map toString d.declarations; }) (lib.optionAttrSetToDocList opts);
in
lib.concatMap docs [
  o.services.odoo
  o.services.postgresql
  o.services.nginx
  o.services.redis
  o.services.prometheus
  o.services.grafana
  o.networking
  o.virtualisation
  o.users
  o.environment
  o.time
  o.fileSystems
  o.boot
  o.nixpkgs
]
