# Placeholder package set: every attribute the project's Nix code takes from nixpkgs,
# as derivations that evaluate (so drvPath can be computed and every input is forced)
# but whose builder refuses to run. Builders that nixpkgs provides as functions
# (buildPythonPackage, runCommand, dockerTools.streamLayeredImage, ...) check the
# arguments the project passes where nixpkgs would reject them too.
#
# A name missing here is a name the project must not use without checking that it
# exists in nixpkgs (pkgs/top-level/all-packages.nix or pkgs/by-name/) first.
{
  lib,
  system,
  nixosSystem,
}:
let
  drv = import ./placeholder.nix { inherit lib system; };
  inherit (drv) mkDrv tool;

  python = import ./python.nix { inherit lib drv; };
  python312 = python.mkInterpreter "python3" "3.12.11";
  python313 = python.mkInterpreter "python3" "3.13.7";

  self = {
    inherit lib system;
    inherit (drv) stdenv stdenvNoCC;
    callPackage = lib.callPackageWith self;
    newScope = extra: lib.callPackageWith (self // extra);

    inherit python312 python313;
    python3 = python313;
    python3Packages = python313.pkgs;
    python312Packages = python312.pkgs;

    # pkgs/by-name/od/odoo19/package.nix at nixpkgs 913611c2e5ee984eb60ad1995ed011d04f68ae47:
    # buildPythonApplication on its own python312, release 20260104, with the postPatch
    # that makes the websocket (gevent) worker start with workers > 0 (nixpkgs issue
    # 437260: odoo re-executes sys.argv[0], the shell wrapper, with Python)
    odoo19 = python312.pkgs.buildPythonApplication {
      pname = "odoo";
      version = "19.0.20260104";
      pyproject = true;
      postPatch = ''
        substituteInPlace odoo/service/server.py \
          --replace-fail 'sys.argv[0]' "'@out@/bin/.odoo-wrapped'"
      '';
      dependencies = with python312.pkgs; [
        cryptography
        lxml
        psycopg2
        requests
        gevent
        werkzeug
      ];
    };
    # PostgreSQL: psqlSchema names the data directory (services.postgresql.dataDir)
    postgresql_15 = drv.mkDrv {
      pname = "postgresql";
      version = "15.15";
      passthru.psqlSchema = "15";
    };
    postgresql_16 = drv.mkDrv {
      pname = "postgresql";
      version = "16.11";
      passthru.psqlSchema = "16";
    };
    postgresql_17 = drv.mkDrv {
      pname = "postgresql";
      version = "17.7";
      passthru.psqlSchema = "17";
    };

    fetchurl = import ./fetchurl.nix { inherit lib mkDrv; };
    formats = import ./formats.nix { inherit lib mkDrv; };
    dockerTools = import ./docker-tools.nix { inherit lib mkDrv; };
    testers.runNixOSTest = import ../testing/run-nixos-test.nix {
      inherit lib nixosSystem;
      hostPkgs = self;
    };
  }
  // import ./trivial-builders.nix { inherit lib mkDrv; }
  // lib.genAttrs [
    # services' default packages (the mirrored modules in ../nixos default to these)
    "redis"
    "nginxStable"
    "mailcap"
    "prometheus"
    "grafana"
    "prometheus-node-exporter"
    "prometheus-postgres-exporter"
    "prometheus-redis-exporter"
    "prometheus-nginx-exporter"
    # tools the project's units, tests, dev shell and lint use
    "bash"
    "cacert"
    "coreutils"
    "curl"
    "git"
    "gnugrep"
    "gnused"
    "jq"
    "netcat"
    "nix"
    "nixfmt"
    "openssl"
    "ruff"
    "shellcheck"
    "sqlite"
    "systemd"
    "util-linux"
  ] tool;
in
self
