# Stand-in for nixos/modules/services/databases/redis.nix (nixos-unstable, the stored copy
# read for docs/nix.md: `extraParams`, `prep-conf`). Declares the server options the
# project sets; does what upstream does with them:
#  - each enabled server `<name>` is unit redis-<name>, user/group redis-<name>; its
#    settings get port, bind, save ("" when `save = [ ]`), dir /var/lib/redis-<name>, ...;
#  - `requirePassFile`: a root ("+") ExecStartPre appends `requirepass <the file's
#    content>` to /run/redis-<name>/nixos.conf, so the file may be root-only;
#  - `openFirewall` opens `port` to everyone (networking.firewall.allowedTCPPorts).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  redisName = name: "redis" + lib.optionalString (name != "") "-${name}";
  serverModule =
    { name, config, ... }:
    {
      options = {
        enable = lib.mkEnableOption "Redis server";
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
        save = mkOption {
          type = with types; listOf (listOf int);
          default = [
            [ 900 1 ]
            [ 300 10 ]
            [ 60 10000 ]
          ];
        };
        requirePassFile = mkOption {
          type = with types; nullOr path;
          default = null;
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
      config.settings = lib.mkMerge [
        {
          inherit (config) port;
          daemonize = false;
          supervised = "systemd";
          save =
            if config.save == [ ] then
              ''""''
            else
              map (d: "${toString (builtins.elemAt d 0)} ${toString (builtins.elemAt d 1)}") config.save;
          dir = "/var/lib/${redisName name}";
        }
        (lib.mkIf (config.bind != null) { inherit (config) bind; })
      ];
    };
  enabled = lib.filterAttrs (_: s: s.enable) config.services.redis.servers;
  redisConf =
    settings:
    pkgs.writeText "redis.conf" (
      lib.concatStrings (
        lib.mapAttrsToList (
          k: v:
          lib.concatMapStrings (item: "${k} ${if item == true then "yes" else if item == false then "no" else toString item}\n") (
            lib.toList v
          )
        ) settings
      )
    );
in
{
  options.services.redis = {
    package = mkOption {
      type = types.package;
      default = pkgs.redis;
    };
    servers = mkOption {
      type = with types; attrsOf (submodule serverModule);
      default = { };
    };
  };
  config = lib.mkIf (enabled != { }) {
    networking.firewall.allowedTCPPorts = lib.concatMap (s: lib.optional s.openFirewall s.port) (
      builtins.attrValues enabled
    );
    users.users = lib.mapAttrs' (
      name: _:
      lib.nameValuePair (redisName name) {
        isSystemUser = true;
        group = redisName name;
      }
    ) enabled;
    users.groups = lib.mapAttrs' (name: _: lib.nameValuePair (redisName name) { }) enabled;
    systemd.services = lib.mapAttrs' (
      name: conf:
      lib.nameValuePair (redisName name) {
        wantedBy = [ "multi-user.target" ];
        after = [ "network.target" ];
        serviceConfig = {
          ExecStart = "${config.services.redis.package}/bin/redis-server /var/lib/${redisName name}/redis.conf";
          ExecStartPre =
            "+"
            + pkgs.writeShellScript "${redisName name}-prep-conf" (
              ''
                echo 'include "${redisConf conf.settings}"' > /run/${redisName name}/nixos.conf
              ''
              + lib.optionalString (conf.requirePassFile != null) ''
                {
                  echo -n "requirepass "
                  cat ${lib.escapeShellArg conf.requirePassFile}
                } >> /run/${redisName name}/nixos.conf
              ''
            );
          Type = "notify";
          User = redisName name;
          Group = redisName name;
          RuntimeDirectory = redisName name;
          StateDirectory = redisName name;
        };
      }
    ) enabled;
  };
}
