# Mirrors nixos/modules/services/databases/postgresql.nix (nixos-unstable, early 2026):
# the options used, with types/defaults; `settings` is freeform with a typed `port`.
# Config: the postgresql unit and the ensureDBOwnership assertion upstream has.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  cfg = config.services.postgresql;
in
{
  options.services.postgresql = {
    enable = lib.mkEnableOption "PostgreSQL Server";
    package = mkOption {
      type = types.package;
      default = pkgs.postgresql_17;
      defaultText = "depends on system.stateVersion";
    };
    enableTCPIP = mkOption {
      type = types.bool;
      default = false;
    };
    dataDir = mkOption {
      type = types.path;
      default = "/var/lib/postgresql/${cfg.package.psqlSchema or "17"}";
    };
    authentication = mkOption {
      type = types.lines;
      default = "";
    };
    identMap = mkOption {
      type = types.lines;
      default = "";
    };
    initdbArgs = mkOption {
      type = with types; listOf str;
      default = [ ];
    };
    initialScript = mkOption {
      type = types.nullOr types.path;
      default = null;
    };
    ensureDatabases = mkOption {
      type = types.listOf types.str;
      default = [ ];
    };
    ensureUsers = mkOption {
      default = [ ];
      type = types.listOf (
        types.submodule {
          options = {
            name = mkOption { type = types.str; };
            ensureDBOwnership = mkOption {
              type = types.bool;
              default = false;
            };
            ensureClauses = mkOption {
              default = { };
              type = types.submodule {
                options = lib.genAttrs [
                  "superuser"
                  "createrole"
                  "createdb"
                  "inherit"
                  "login"
                  "replication"
                  "bypassrls"
                ] (_: mkOption {
                  type = types.nullOr types.bool;
                  default = null;
                });
              };
            };
          };
        }
      );
    };
    enableJIT = mkOption {
      type = types.bool;
      default = false;
    };
    settings = mkOption {
      default = { };
      type = types.submodule {
        freeformType =
          with types;
          attrsOf (oneOf [
            bool
            float
            int
            str
          ]);
        options = {
          port = mkOption {
            type = types.port;
            default = 5432;
          };
          listen_addresses = mkOption {
            type = types.str;
            default = if cfg.enableTCPIP then "*" else "localhost";
          };
        };
      };
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = map (user: {
      assertion = user.ensureDBOwnership -> builtins.elem user.name cfg.ensureDatabases;
      message = ''
        For each database user defined with `services.postgresql.ensureUsers` and
        `ensureDBOwnership = true;`, a database with the same name must be defined
        in `services.postgresql.ensureDatabases`.

        Offender: ${user.name} has not been found among databases.
      '';
    }) cfg.ensureUsers;
    users.users.postgres = {
      isSystemUser = true;
      group = "postgres";
    };
    users.groups.postgres = { };
    systemd.services.postgresql = {
      wantedBy = [ "multi-user.target" ];
      serviceConfig = {
        User = "postgres";
        Group = "postgres";
        Type = "notify";
        ExecStart = "${cfg.package}/bin/postgres";
      };
    };
    systemd.services.postgresql-setup = {
      requiredBy = [ "postgresql.target" ];
      serviceConfig.Type = "oneshot";
      script = lib.concatMapStrings (db: "psql -c 'CREATE DATABASE \"${db}\"'\n") cfg.ensureDatabases;
    };
    systemd.targets.postgresql.wantedBy = [ "multi-user.target" ];
  };
}
