# Mirrors nixos/modules/services/monitoring/grafana.nix (nixos-unstable, early 2026):
# settings as a freeform INI submodule with the typed server/security keys the project
# sets (secret_key has no default any more), and the provision tree: datasources and
# dashboards `settings` (typed submodules, see grafanaTypes upstream) or `path`,
# alerting.<kind>.path/settings.
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

  datasourceConfig = types.submodule {
    freeformType = yaml.type;
    options = {
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
      editable = mkOption {
        type = types.bool;
        default = false;
      };
      jsonData = mkOption {
        type = types.nullOr types.attrs;
        default = null;
      };
      secureJsonData = mkOption {
        type = types.nullOr types.attrs;
        default = null;
      };
    };
  };
  dashboardConfig = types.submodule {
    freeformType = yaml.type;
    options = {
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
  };
  provisionSection =
    attr: itemType:
    {
      path = mkOption {
        type = types.nullOr types.path;
        default = null;
      };
      settings = mkOption {
        default = null;
        type = types.nullOr (
          types.submodule {
            options = {
              apiVersion = mkOption {
                type = types.int;
                default = 1;
              };
              ${attr} = mkOption {
                type = types.listOf itemType;
                default = [ ];
              };
            };
          }
        );
      };
    };
  alertingSection = {
    path = mkOption {
      type = types.nullOr types.path;
      default = null;
    };
    settings = mkOption {
      type = types.nullOr yaml.type;
      default = null;
    };
  };
in
{
  options.services.grafana = {
    enable = lib.mkEnableOption "grafana";
    package = mkOption {
      type = types.package;
      default = pkgs.grafana;
    };
    dataDir = mkOption {
      type = types.path;
      default = "/var/lib/grafana";
    };
    openFirewall = mkOption {
      type = types.bool;
      default = false;
    };
    declarativePlugins = mkOption {
      type = with types; nullOr (listOf path);
      default = null;
    };
    provision = {
      enable = lib.mkEnableOption "provision";
      datasources = provisionSection "datasources" datasourceConfig;
      dashboards = provisionSection "providers" dashboardConfig;
      alerting = lib.genAttrs [
        "rules"
        "contactPoints"
        "policies"
        "templates"
        "muteTimings"
      ] (_: alertingSection);
    };
    settings = mkOption {
      default = { };
      type = types.submodule {
        freeformType = (pkgs.formats.ini { }).type;
        options = {
          server = {
            protocol = mkOption {
              type = types.enum [
                "http"
                "https"
                "h2"
                "socket"
              ];
              default = "http";
            };
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
            root_url = mkOption {
              type = types.str;
              default = "%(protocol)s://%(domain)s:%(http_port)s/";
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
            cookie_secure = mkOption {
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
        ExecStart = "${cfg.package}/bin/grafana server";
        User = "grafana";
        Restart = "on-failure";
        StateDirectory = "grafana";
      };
    };
  };
}
