# Stand-in for nixos/modules/services/web-servers/nginx/default.nix (with vhost-options.nix
# and location-options.nix), nixos-unstable: the stored copy read for docs/nix.md (the one
# with `experimentalZstdSettings` and lua support). Declares the options the project sets
# (and the few the behaviours below read) and writes nginx.conf as upstream does for them:
#  - `statusPage` merges a `/nginx_status` location (stub_status, allow 127.0.0.1, deny all)
#    into `virtualHosts.localhost`, with `listenAddresses = mkDefault [ "0.0.0.0" ]` and
#    `serverAliases = [ "127.0.0.1" ]`: a vhost of the project named `localhost` with its
#    own `listen` would take it over;
#  - a vhost listens on its `listen` entries if any, else on `listenAddresses` (else
#    `defaultListenAddresses`) at `defaultHTTPListenPort` (80);
#  - `recommendedProxySettings`: http-level proxy_redirect off, timeouts of `proxyTimeout`,
#    HTTP/1.1 with `Connection ""`, and the Host/X-Real-IP/X-Forwarded-* headers -- also
#    repeated in each location with proxyPass (a location's own proxy_set_header would
#    otherwise drop the http-level ones);
#  - a location: proxy_pass, the websocket headers (proxyWebsockets), `return`, its
#    extraConfig, in `priority` order; the `$connection_upgrade` map at http level.
# The text is at config.system.build.harness.nginxConf (the tests check it with Debian's
# nginx); store paths it includes are placeholders there.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  cfg = config.services.nginx;

  locationModule =
    { ... }:
    {
      options = {
        proxyPass = mkOption {
          type = types.nullOr types.str;
          default = null;
        };
        proxyWebsockets = mkOption {
          type = types.bool;
          default = false;
        };
        return = mkOption {
          type = with types; nullOr (oneOf [ str int ]);
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
    };
  };

  vhostModule = {
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

  recommendedProxyHeaders = ''
    proxy_set_header        Host $host;
    proxy_set_header        X-Real-IP $remote_addr;
    proxy_set_header        X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header        X-Forwarded-Proto $scheme;
    proxy_set_header        X-Forwarded-Host $host;
    proxy_set_header        X-Forwarded-Server $hostname;
  '';

  listenLines =
    vhost:
    if vhost.listen != [ ] then
      vhost.listen
    else
      map (addr: {
        inherit addr;
        port = cfg.defaultHTTPListenPort;
      }) (if vhost.listenAddresses != [ ] then vhost.listenAddresses else cfg.defaultListenAddresses);
  listenString =
    vhost: l:
    "listen ${l.addr}${lib.optionalString (l.port != null) ":${toString l.port}"}${lib.optionalString vhost.default " default_server"};";

  mkLocation = name: loc: ''
    location ${name} {
      ${lib.optionalString (loc.proxyPass != null) "proxy_pass ${loc.proxyPass};"}
      ${lib.optionalString loc.proxyWebsockets ''
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
      ''}
      ${lib.optionalString (loc.return != null) "return ${toString loc.return};"}
      ${loc.extraConfig}
      ${lib.optionalString (loc.proxyPass != null && loc.recommendedProxySettings) recommendedProxyHeaders}
    }
  '';
  sortedLocations =
    locations:
    lib.sort (a: b: a.priority < b.priority) (
      lib.mapAttrsToList (name: loc: loc // { inherit name; }) locations
    );

  vhosts = lib.concatStringsSep "\n" (
    lib.mapAttrsToList (
      name: vhost:
      let
        serverName = if vhost.serverName != null then vhost.serverName else name;
      in
      ''
        server {
          ${lib.concatMapStringsSep "\n" (listenString vhost) (listenLines vhost)}
          server_name ${serverName} ${lib.concatStringsSep " " vhost.serverAliases};
          ${lib.concatMapStrings (l: mkLocation l.name l) (sortedLocations vhost.locations)}
          ${vhost.extraConfig}
        }
      ''
    ) cfg.virtualHosts
  );

  upstreams = lib.concatStrings (
    lib.mapAttrsToList (name: upstream: ''
      upstream ${name} {
        ${lib.concatMapStrings (server: "server ${server};\n") (builtins.attrNames upstream.servers)}
      }
    '') cfg.upstreams
  );

  configText = ''
    pid /run/nginx/nginx.pid;
    error_log stderr;
    daemon off;
    events {
    }
    http {
      include ${pkgs.mailcap}/etc/nginx/mime.types;
      types_hash_max_size 4096;
      default_type application/octet-stream;
      ${upstreams}
      ${lib.optionalString cfg.recommendedOptimisation ''
        sendfile on;
        tcp_nopush on;
        tcp_nodelay on;
        keepalive_timeout 65;
      ''}
      ${lib.optionalString cfg.recommendedProxySettings ''
        proxy_redirect          off;
        proxy_connect_timeout   ${cfg.proxyTimeout};
        proxy_send_timeout      ${cfg.proxyTimeout};
        proxy_read_timeout      ${cfg.proxyTimeout};
        proxy_http_version      1.1;
        proxy_set_header        "Connection" "";
        ${recommendedProxyHeaders}
      ''}
      map $http_upgrade $connection_upgrade {
          default upgrade;
          '''      close;
      }
      client_max_body_size ${cfg.clientMaxBodySize};
      server_tokens off;
      ${cfg.commonHttpConfig}
      ${vhosts}
      ${cfg.appendHttpConfig}
    }
  '';
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
    recommendedOptimisation = mkOption {
      type = types.bool;
      default = false;
    };
    proxyTimeout = mkOption {
      type = types.str;
      default = "60s";
    };
    clientMaxBodySize = mkOption {
      type = types.str;
      default = "10m";
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
          options.servers = mkOption {
            type = types.attrsOf (types.submodule { freeformType = with types; attrsOf (oneOf [ bool int str ]); });
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
    services.nginx.virtualHosts.localhost = lib.mkIf cfg.statusPage {
      listenAddresses = lib.mkDefault [ "0.0.0.0" ];
      locations."/nginx_status".extraConfig = ''
        stub_status on;
        access_log off;
        allow 127.0.0.1;
        deny all;
      '';
      serverAliases = [ "127.0.0.1" ];
    };
    users.users.nginx = {
      isSystemUser = true;
      group = "nginx";
    };
    users.groups.nginx = { };
    system.build.harness.nginxConf = configText;
    systemd.services.nginx = {
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      serviceConfig = {
        ExecStart = "${cfg.package}/bin/nginx -c '${pkgs.writeText "nginx.conf" configText}'";
        User = "nginx";
        Group = "nginx";
        Restart = "always";
        RuntimeDirectory = "nginx";
        CacheDirectory = "nginx";
        LogsDirectory = "nginx";
      };
    };
  };
}
