# Mirrors nixos/modules/services/monitoring/prometheus/exporters.nix (the common
# options every exporter gets) and exporters/{node,postgres,redis,nginx}.nix (their
# own options the project uses), nixos-unstable early 2026.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
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
          openFirewall = mkOption {
            type = types.bool;
            default = false;
          };
          firewallFilter = mkOption {
            type = types.nullOr types.str;
            default = null;
          };
          user = mkOption {
            type = types.str;
            default = "${name}-exporter";
          };
          group = mkOption {
            type = types.str;
            default = "${name}-exporter";
          };
          package = mkOption {
            type = types.package;
            default = pkgs."prometheus-${name}-exporter";
          };
        }
        // extraOptions;
      };
    };
  cfg = config.services.prometheus.exporters;
  enabled = lib.filterAttrs (_: e: e.enable) cfg;
in
{
  options.services.prometheus.exporters = {
    node = exporter "node" 9100 {
      enabledCollectors = mkOption {
        type = types.listOf types.str;
        default = [ ];
      };
      disabledCollectors = mkOption {
        type = types.listOf types.str;
        default = [ ];
      };
    };
    postgres = exporter "postgres" 9187 {
      dataSourceName = mkOption {
        type = types.str;
        default = "user=postgres database=postgres host=/run/postgresql sslmode=disable";
      };
      runAsLocalSuperUser = mkOption {
        type = types.bool;
        default = false;
      };
      environmentFile = mkOption {
        type = types.nullOr types.path;
        default = null;
      };
    };
    redis = exporter "redis" 9121 { };
    nginx = exporter "nginx" 9113 {
      scrapeUri = mkOption {
        type = types.str;
        default = "http://localhost/nginx_status";
      };
      sslVerify = mkOption {
        type = types.bool;
        default = true;
      };
      constLabels = mkOption {
        type = types.listOf types.str;
        default = [ ];
      };
    };
  };

  config = {
    networking.firewall.allowedTCPPorts = lib.concatLists (
      lib.mapAttrsToList (_: e: lib.optional e.openFirewall e.port) enabled
    );
    systemd.services = lib.mapAttrs' (
      name: e:
      lib.nameValuePair "prometheus-${name}-exporter" {
        wantedBy = [ "multi-user.target" ];
        serviceConfig = {
          ExecStart = "${e.package}/bin/${name}_exporter --web.listen-address ${e.listenAddress}:${toString e.port} ${lib.concatStringsSep " " e.extraFlags}";
          DynamicUser = true;
          Restart = "always";
        };
      }
    ) enabled;
  };
}
