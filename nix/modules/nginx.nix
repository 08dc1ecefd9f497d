# The proxy part: the public virtual host, every route from [[nginx.locations]] with the
# behaviour stack/stackconf.py resolves for it. Upstream services.odoo's own vhost routes
# /longpolling (Odoo < 16); Odoo 19's bus is /websocket on the gevent port, as the
# settings say.
{
  config,
  lib,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  n = cfg.resolved.nginx;
  cacheZone = "odoo_static";

  locationConfig =
    loc:
    {
      inherit (loc) priority;
      proxyPass = loc.proxy_pass;
      proxyWebsockets = loc.websocket;
      inherit (loc) return;
      extraConfig = lib.concatStringsSep "\n" (
        lib.optionals (loc.action == "proxy") [ "proxy_redirect off;" ]
        ++ lib.optionals (loc.action == "websocket") [
          "proxy_read_timeout 720s;"
          "proxy_send_timeout 720s;"
        ]
        ++ lib.optionals (loc.cache_valid != null) [
          # `expires` rather than add_header: add_header here would drop the
          # server-level security headers for this location
          "proxy_cache ${cacheZone};"
          "proxy_cache_valid 200 ${loc.cache_valid};"
          "expires ${loc.cache_valid};"
        ]
        ++ lib.optionals (loc.action == "health") [ "default_type text/plain;" ]
      );
    };
in
lib.mkIf (cfg.enable && cfg.roles.proxy) {
  services.nginx = {
    enable = true;
    recommendedProxySettings = true;
    recommendedOptimisation = true;
    # the status page feeds the nginx exporter (loopback only)
    statusPage = true;
    clientMaxBodySize = n.client_max_body_size;
    appendHttpConfig = ''
      proxy_cache_path /var/cache/nginx/${cacheZone} levels=1:2 keys_zone=${cacheZone}:10m max_size=512m inactive=${n.static_cache};
      gzip on;
      gzip_proxied any;
      gzip_vary on;
      gzip_types ${lib.concatStringsSep " " n.gzip_types};
    '';
    upstreams = lib.mapAttrs (_: servers: {
      servers = lib.genAttrs servers (_: { });
    }) n.upstreams;
    virtualHosts.${cfg.domain} = {
      default = true;
      serverName = n.server_name;
      listen = [
        {
          addr = cfg.listenAddress;
          inherit (n.listen) port;
        }
      ];
      extraConfig = lib.concatStrings (
        lib.mapAttrsToList (name: value: ''
          add_header ${name} "${value}" always;
        '') n.security_headers
      );
      locations = lib.listToAttrs (map (loc: lib.nameValuePair loc.key (locationConfig loc)) n.locations);
    };
  };

  networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [ n.listen.port ];
}
