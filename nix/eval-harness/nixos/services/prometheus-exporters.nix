# Stand-in for nixos/modules/services/monitoring/prometheus/exporters.nix (the common
# options and unit every exporter gets) and exporters/{node,postgres,redis,nginx}.nix,
# nixos-unstable (the stored copies read for docs/nix.md). Declares the options the project
# sets; does what upstream does with them:
#  - unit prometheus-<name>-exporter: Restart=always, DynamicUser (postgres: not, and
#    User=postgres with runAsLocalSuperUser), RestrictAddressFamilies AF_INET AF_INET6
#    (postgres and redis add AF_UNIX), ExecStart <exporter> with the listen address and
#    extraFlags; postgres gets DATA_SOURCE_NAME, nginx --nginx.scrape-uri;
#  - listenAddress defaults to 0.0.0.0: every interface.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  cfg = config.services.prometheus.exporters;
  exporter =
    name: defaultPort: extraOptions:
    mkOption {
      default = { };
      type = types.submodule {
        options = {
          enable = lib.mkEnableOption "the prometheus ${name} exporter";
          port = mkOption {
            type = types.port;
            default = defaultPort;
          };
          listenAddress = mkOption {
            type = types.str;
            default = "0.0.0.0";
          };
          extraFlags = mkOption {
            type = types.listOf types.str;
            default = [ ];
          };
        }
        // extraOptions;
      };
    };
  unit =
    name: e: serviceConfig:
    lib.mkIf e.enable {
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      serviceConfig = lib.mkMerge [
        {
          Restart = lib.mkDefault "always";
          DynamicUser = lib.mkDefault true;
          User = lib.mkDefault "${name}-exporter";
          PrivateTmp = lib.mkDefault true;
          ProtectSystem = lib.mkDefault "strict";
          RestrictAddressFamilies = [
            "AF_INET"
            "AF_INET6"
          ];
        }
        serviceConfig
      ];
    };
  flags = e: lib.concatStringsSep " " e.extraFlags;
in
{
  options.services.prometheus.exporters = {
    node = exporter "node" 9100 { };
    postgres = exporter "postgres" 9187 {
      dataSourceName = mkOption {
        type = types.str;
        default = "user=postgres database=postgres host=/run/postgresql sslmode=disable";
      };
      runAsLocalSuperUser = mkOption {
        type = types.bool;
        default = false;
      };
    };
    redis = exporter "redis" 9121 { };
    nginx = exporter "nginx" 9113 {
      scrapeUri = mkOption {
        type = types.str;
        default = "http://localhost/nginx_status";
      };
    };
  };

  config = {
    systemd.services.prometheus-node-exporter = unit "node" cfg.node {
      ExecStart = "${pkgs.prometheus-node-exporter}/bin/node_exporter --web.listen-address ${cfg.node.listenAddress}:${toString cfg.node.port} ${flags cfg.node}";
    };
    systemd.services.prometheus-postgres-exporter = lib.mkMerge [
      (unit "postgres" cfg.postgres {
        DynamicUser = false;
        ExecStart = "${pkgs.prometheus-postgres-exporter}/bin/postgres_exporter --web.listen-address ${cfg.postgres.listenAddress}:${toString cfg.postgres.port} ${flags cfg.postgres}";
        RestrictAddressFamilies = [ "AF_UNIX" ];
      })
      (lib.mkIf cfg.postgres.enable {
        environment.DATA_SOURCE_NAME = cfg.postgres.dataSourceName;
        serviceConfig.User = lib.mkIf cfg.postgres.runAsLocalSuperUser (lib.mkForce "postgres");
      })
    ];
    systemd.services.prometheus-redis-exporter = unit "redis" cfg.redis {
      ExecStart = "${pkgs.prometheus-redis-exporter}/bin/redis_exporter -web.listen-address ${cfg.redis.listenAddress}:${toString cfg.redis.port} ${flags cfg.redis}";
      RestrictAddressFamilies = [ "AF_UNIX" ];
    };
    systemd.services.prometheus-nginx-exporter = unit "nginx" cfg.nginx {
      ExecStart = "${pkgs.prometheus-nginx-exporter}/bin/nginx-prometheus-exporter --nginx.scrape-uri='${cfg.nginx.scrapeUri}' --web.listen-address=${cfg.nginx.listenAddress}:${toString cfg.nginx.port} ${flags cfg.nginx}";
    };
  };
}
