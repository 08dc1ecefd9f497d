# Stand-in for pkgs.testers.runNixOSTest (nixos/lib/testing/*.nix): the test module is
# evaluated with the options nixpkgs declares for it (name, nodes, defaults,
# testScript, ... -- a misspelled one fails), every node is evaluated as a full system
# (with qemu-vm.nix, the test network's hostName/hosts/vlans, as nodes.nix and
# network.nix do) and its toplevel forced, and the testScript is checked against the
# real test-driver API (test-driver-api.json): every `<node>.<method>(` must name a node
# of this test and a Machine method, every `<name>.<machine method>(` must call it on a
# node (or on `machine`, when there is exactly one node, as the driver allows).
# nix/tools/check_test_scripts.py does the full check (Python AST) on the same data.
{
  lib,
  nixosSystem,
  hostPkgs,
}:
testModule:
let
  inherit (lib) mkOption types;
  api = lib.importJSON ./test-driver-api.json;

  testOptions =
    { config, ... }:
    {
      options = {
        name = mkOption { type = types.str; };
        nodes = mkOption {
          type = types.lazyAttrsOf types.deferredModule;
          default = { };
        };
        defaults = mkOption {
          type = types.deferredModule;
          default = { };
        };
        node.specialArgs = mkOption {
          type = types.lazyAttrsOf types.raw;
          default = { };
        };
        node.pkgsReadOnly = mkOption {
          type = types.bool;
          default = true;
        };
        testScript = mkOption {
          type = types.either types.str (types.functionTo types.str);
        };
        skipTypeCheck = mkOption {
          type = types.bool;
          default = false;
        };
        skipLint = mkOption {
          type = types.bool;
          default = false;
        };
        enableOCR = mkOption {
          type = types.bool;
          default = false;
        };
        globalTimeout = mkOption {
          type = types.int;
          default = 60 * 60;
        };
        extraPythonPackages = mkOption {
          type = types.functionTo (types.listOf types.package);
          default = _: [ ];
        };
        interactive = mkOption {
          type = types.deferredModule;
          default = { };
        };
        meta = mkOption {
          type = types.submodule {
            options.maintainers = mkOption {
              type = types.listOf types.raw;
              default = [ ];
            };
            options.timeout = mkOption {
              type = types.nullOr types.int;
              default = 3600;
            };
            options.broken = mkOption {
              type = types.bool;
              default = false;
            };
            options.platforms = mkOption {
              type = types.listOf types.raw;
              default = [ ];
            };
          };
          default = { };
        };
      };
    };

  test = lib.evalModules {
    modules = [
      testOptions
      testModule
    ];
  };
  cfg = test.config;
  nodeNames = builtins.attrNames cfg.nodes;
  pythonName = builtins.replaceStrings [ "-" ] [ "_" ];

  # nixos/lib/testing/network.nix: node N gets 192.168.<vlan>.<N> and every node's
  # hostName resolves on every node.
  addressOf = name: "192.168.1.${toString (lib.lists.findFirstIndex (n: n == name) 0 nodeNames + 1)}";
  networkModule =
    name:
    { lib, ... }:
    {
      networking.hostName = lib.mkDefault name;
      networking.primaryIPAddress = addressOf name;
      networking.hosts = lib.listToAttrs (
        map (n: lib.nameValuePair (addressOf n) [ n ]) nodeNames
      );
      system.stateVersion = lib.mkDefault lib.trivial.release;
      nixpkgs.pkgs = lib.mkDefault hostPkgs;
    };
  nodes = lib.mapAttrs (
    name: module:
    (nixosSystem {
      specialArgs = cfg.node.specialArgs;
      extraBaseModules = [ ../nixos/qemu-vm.nix ];
      modules = [
        (networkModule name)
        cfg.defaults
        module
      ];
    }).config
  ) cfg.nodes;

  script =
    # lib.isFunction: lib.types.functionTo merges to a functor, not a bare lambda
    if lib.isFunction cfg.testScript then cfg.testScript { inherit nodes; } else cfg.testScript;

  machineNames = map pythonName nodeNames ++ lib.optional (builtins.length nodeNames == 1) "machine";
  # `<identifier>.<identifier>(` occurrences, outside of nothing smarter than a regex:
  # precise checking (scopes, strings) is check_test_scripts.py's job.
  calls =
    let
      parts = builtins.split "([A-Za-z_][A-Za-z0-9_]*)\\.([A-Za-z_][A-Za-z0-9_]*)\\(" script;
    in
    map (m: {
      object = builtins.elemAt m 0;
      method = builtins.elemAt m 1;
    }) (lib.filter builtins.isList parts);
  problems =
    lib.optional (nodeNames == [ ]) "test ${cfg.name} has no nodes"
    ++ lib.concatMap (
      c:
      lib.optional (
        builtins.elem c.object machineNames && !(builtins.elem c.method api.machine_methods)
      ) "${c.object}.${c.method}(): the NixOS test driver's Machine has no method ${c.method}"
      ++ lib.optional (
        !(builtins.elem c.object machineNames)
        && builtins.elem c.method api.machine_methods
        && !(builtins.elem c.object api.globals)
        && builtins.elem c.method [
          "wait_for_unit"
          "wait_for_open_port"
          "wait_until_succeeds"
          "succeed"
          "fail"
          "start"
          "shutdown"
          "wait_for_file"
          "require_unit_state"
          "systemctl"
          "execute"
        ]
      ) "${c.object}.${c.method}(): ${c.object} is not a node of test ${cfg.name} (nodes: ${lib.concatStringsSep ", " machineNames})"
    ) calls;
in
if problems != [ ] then
  throw "testScript of ${cfg.name}:\n${lib.concatMapStrings (p: "- ${p}\n") problems}"
else
  hostPkgs.runCommand "vm-test-run-${cfg.name}" {
    nodes = lib.mapAttrs (_: n: n.system.build.toplevel) nodes;
    testScript = script;
    passthru = {
      inherit nodes;
      config = cfg;
      harness = {
        inherit nodeNames script;
        inherit (cfg) globalTimeout;
        pythonNodeNames = map pythonName nodeNames;
      };
      driver = hostPkgs.runCommand "nixos-test-driver-${cfg.name}" { } "";
    };
  } ""
