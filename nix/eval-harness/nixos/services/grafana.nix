# Stand-in for nixos/modules/services/monitoring/grafana.nix (nixos-unstable, the stored
# copy read for docs/nix.md). Declares the options the project sets: `settings` is a
# freeform INI submodule with upstream's typed keys among those (http_addr, http_port,
# domain; admin_user, admin_password, secret_key -- no default any more --,
# disable_gravatar; analytics; users.allow_sign_up), and the provision tree: datasources
# and dashboards `settings` (typed submodules, freeform otherwise), alerting.rules.path.
# Upstream writes grafana.ini from `settings` and provisioning YAML from `provision`, and
# runs grafana.service with StateDirectory grafana.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  cfg = config.services.grafana;
  yaml = pkgs.formats.yaml { };
  provisionSettings =
    attr: itemOptions:
    mkOption {
      default = null;
      type = types.nullOr (
        types.submodule {
          options = {
            apiVersion = mkOption {
              type = types.int;
              default = 1;
            };
            ${attr} = mkOption {
              type = types.listOf (
                types.submodule {
                  freeformType = yaml.type;
                  options = itemOptions;
                }
              );
              default = [ ];
            };
          };
        }
      );
    };
in
{
  options.services.grafana = {
    enable = lib.mkEnableOption "grafana";
    package = mkOption {
      type = types.package;
      default = pkgs.grafana;
    };
    provision = {
      enable = lib.mkEnableOption "provision";
      datasources.settings = provisionSettings "datasources" {
        name = mkOption { type = types.str; };
        type = mkOption { type = types.str; };
        access = mkOption {
          type = types.enum [
            "proxy"
            "direct"
          ];
          default = "proxy";
        };
        url = mkOption {
          type = types.str;
          default = "";
        };
        uid = mkOption {
          type = types.nullOr types.str;
          default = null;
        };
      };
      dashboards.settings = provisionSettings "providers" {
        name = mkOption {
          type = types.str;
          default = "default";
        };
        type = mkOption {
          type = types.str;
          default = "file";
        };
        options.path = mkOption { type = types.path; };
      };
      alerting.rules.path = mkOption {
        type = types.nullOr types.path;
        default = null;
      };
    };
    settings = mkOption {
      default = { };
      type = types.submodule {
        freeformType = (pkgs.formats.ini { }).type;
        options = {
          server = {
            http_addr = mkOption {
              type = types.str;
              default = "127.0.0.1";
            };
            http_port = mkOption {
              type = types.port;
              default = 3000;
            };
            domain = mkOption {
              type = types.str;
              default = "localhost";
            };
          };
          security = {
            admin_user = mkOption {
              type = types.str;
              default = "admin";
            };
            admin_password = mkOption {
              type = types.str;
              default = "admin";
            };
            secret_key = mkOption {
              type = types.nullOr types.str;
              default = null;
            };
            disable_gravatar = mkOption {
              type = types.bool;
              default = false;
            };
          };
          # reporting_enabled's default is false in nixos-unstable of early 2026 (it was true)
          analytics = {
            reporting_enabled = mkOption {
              type = types.bool;
              default = false;
            };
            check_for_updates = mkOption {
              type = types.bool;
              default = false;
            };
          };
          users.allow_sign_up = mkOption {
            type = types.bool;
            default = false;
          };
        };
      };
    };
  };

  config = lib.mkIf cfg.enable {
    users.users.grafana = {
      isSystemUser = true;
      group = "grafana";
    };
    users.groups.grafana = { };
    systemd.services.grafana = {
      wantedBy = [ "multi-user.target" ];
      after = [ "networking.target" ];
      serviceConfig = {
        ExecStart = "${cfg.package}/bin/grafana server -config ${(pkgs.formats.ini { }).generate "config.ini" cfg.settings}";
        User = "grafana";
        Restart = "on-failure";
        StateDirectory = "grafana";
      };
    };
  };
}
