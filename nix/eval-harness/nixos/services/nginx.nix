# Mirrors nixos/modules/services/web-servers/nginx/default.nix with its
# vhost-options.nix and location-options.nix (nixos-unstable, early 2026): the options
# the project uses, with their types and defaults.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  cfg = config.services.nginx;

  locationModule = {
    options = {
      proxyPass = mkOption {
        type = types.nullOr types.str;
        default = null;
      };
      proxyWebsockets = mkOption {
        type = types.bool;
        default = false;
      };
      index = mkOption {
        type = types.nullOr types.str;
        default = null;
      };
      tryFiles = mkOption {
        type = types.nullOr types.str;
        default = null;
      };
      root = mkOption {
        type = types.nullOr types.path;
        default = null;
      };
      alias = mkOption {
        type = types.nullOr types.path;
        default = null;
      };
      return = mkOption {
        type = with types; nullOr (oneOf [ str int ]);
        default = null;
      };
      basicAuthFile = mkOption {
        type = types.nullOr types.path;
        default = null;
      };
      extraConfig = mkOption {
        type = types.lines;
        default = "";
      };
      priority = mkOption {
        type = types.int;
        default = 1000;
      };
      recommendedProxySettings = mkOption {
        type = types.bool;
        default = cfg.recommendedProxySettings;
      };
    };
  };

  listenModule = {
    options = {
      addr = mkOption { type = types.str; };
      port = mkOption {
        type = types.nullOr types.port;
        default = null;
      };
      ssl = mkOption {
        type = types.bool;
        default = false;
      };
      proxyProtocol = mkOption {
        type = types.bool;
        default = false;
      };
      extraParameters = mkOption {
        type = types.listOf types.str;
        default = [ ];
      };
    };
  };

  vhostModule =
    { name, ... }:
    {
      options = {
        serverName = mkOption {
          type = types.nullOr types.str;
          default = null;
        };
        serverAliases = mkOption {
          type = types.listOf types.str;
          default = [ ];
        };
        listen = mkOption {
          type = types.listOf (types.submodule listenModule);
          default = [ ];
        };
        listenAddresses = mkOption {
          type = types.listOf types.str;
          default = [ ];
        };
        default = mkOption {
          type = types.bool;
          default = false;
        };
        forceSSL = mkOption {
          type = types.bool;
          default = false;
        };
        enableACME = mkOption {
          type = types.bool;
          default = false;
        };
        root = mkOption {
          type = types.nullOr types.path;
          default = null;
        };
        extraConfig = mkOption {
          type = types.lines;
          default = "";
        };
        locations = mkOption {
          type = types.attrsOf (types.submodule locationModule);
          default = { };
        };
      };
    };
in
{
  options.services.nginx = {
    enable = lib.mkEnableOption "Nginx Web Server";
    package = mkOption {
      type = types.package;
      default = pkgs.nginxStable;
    };
    statusPage = mkOption {
      type = types.bool;
      default = false;
    };
    recommendedProxySettings = mkOption {
      type = types.bool;
      default = false;
    };
    recommendedGzipSettings = mkOption {
      type = types.bool;
      default = false;
    };
    recommendedOptimisation = mkOption {
      type = types.bool;
      default = false;
    };
    recommendedTlsSettings = mkOption {
      type = types.bool;
      default = false;
    };
    clientMaxBodySize = mkOption {
      type = types.str;
      default = "10m";
    };
    serverTokens = mkOption {
      type = types.bool;
      default = false;
    };
    commonHttpConfig = mkOption {
      type = types.lines;
      default = "";
    };
    appendHttpConfig = mkOption {
      type = types.lines;
      default = "";
    };
    defaultListenAddresses = mkOption {
      type = types.listOf types.str;
      default = [ "0.0.0.0" ];
    };
    defaultHTTPListenPort = mkOption {
      type = types.port;
      default = 80;
    };
    upstreams = mkOption {
      default = { };
      type = types.attrsOf (
        types.submodule {
          options = {
            servers = mkOption {
              type = types.attrsOf (
                types.submodule {
                  freeformType = with types; attrsOf (oneOf [ bool int str ]);
                  options.backup = mkOption {
                    type = types.bool;
                    default = false;
                  };
                }
              );
            };
            extraConfig = mkOption {
              type = types.lines;
              default = "";
            };
          };
        }
      );
    };
    virtualHosts = mkOption {
      type = types.attrsOf (types.submodule vhostModule);
      default = { };
    };
  };

  config = lib.mkIf cfg.enable {
    users.users.nginx = {
      isSystemUser = true;
      group = "nginx";
    };
    users.groups.nginx = { };
    systemd.services.nginx = {
      wantedBy = [ "multi-user.target" ];
      serviceConfig = {
        ExecStart = "${cfg.package}/bin/nginx";
        User = "nginx";
        Group = "nginx";
        CacheDirectory = "nginx";
      };
    };
  };
}
