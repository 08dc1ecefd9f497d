# Mirrors nixos/modules/services/databases/redis.nix (nixos-unstable, early 2026):
# services.redis.package and the per-server submodule options the project uses.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  serverModule =
    { name, config, ... }:
    {
      options = {
        enable = lib.mkEnableOption "Redis server";
        user = mkOption {
          type = types.str;
          default = if name == "" then "redis" else "redis-${name}";
        };
        group = mkOption {
          type = types.str;
          default = config.user;
        };
        port = mkOption {
          type = types.port;
          default = if name == "" then 6379 else 0;
        };
        openFirewall = mkOption {
          type = types.bool;
          default = false;
        };
        bind = mkOption {
          type = with types; nullOr str;
          default = "127.0.0.1";
        };
        unixSocket = mkOption {
          type = with types; nullOr path;
          default = "/run/redis${lib.optionalString (name != "") "-${name}"}/redis.sock";
        };
        unixSocketPerm = mkOption {
          type = types.int;
          default = 660;
        };
        logLevel = mkOption {
          type = types.str;
          default = "notice";
        };
        databases = mkOption {
          type = types.int;
          default = 16;
        };
        maxclients = mkOption {
          type = types.int;
          default = 10000;
        };
        save = mkOption {
          type = with types; listOf (listOf int);
          default = [
            [ 900 1 ]
            [ 300 10 ]
            [ 60 10000 ]
          ];
        };
        requirePass = mkOption {
          type = with types; nullOr str;
          default = null;
        };
        requirePassFile = mkOption {
          type = with types; nullOr path;
          default = null;
        };
        appendOnly = mkOption {
          type = types.bool;
          default = false;
        };
        settings = mkOption {
          type =
            with types;
            attrsOf (oneOf [
              bool
              int
              str
              (listOf str)
            ]);
          default = { };
        };
      };
    };
  enabled = lib.filterAttrs (_: s: s.enable) config.services.redis.servers;
in
{
  options.services.redis = {
    package = lib.mkOption {
      type = types.package;
      default = pkgs.redis;
    };
    vmOverCommit = lib.mkEnableOption "set vm.overcommit_memory sysctl to 1";
    servers = mkOption {
      type = with types; attrsOf (submodule serverModule);
      default = { };
    };
  };
  config = lib.mkIf (enabled != { }) {
    networking.firewall.allowedTCPPorts = lib.concatMap (s: lib.optional s.openFirewall s.port) (
      builtins.attrValues enabled
    );
    systemd.services = lib.mapAttrs' (
      name: s:
      lib.nameValuePair "redis${lib.optionalString (name != "") "-${name}"}" {
        wantedBy = [ "multi-user.target" ];
        serviceConfig = {
          ExecStart = "${config.services.redis.package}/bin/redis-server /var/lib/redis-${name}/redis.conf";
          User = s.user;
          Group = s.group;
          Type = "notify";
        };
      }
    ) enabled;
  };
}
