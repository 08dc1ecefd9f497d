# The proxy part: the public virtual host on `publicListenAddress`, every route from
# [[nginx.locations]] with the behaviour einvoice_stack.stackconf resolves for it, written
# as the plain-host stack writes it (einvoice_stack.render_nginx). tests/nix runs Debian's
# nginx on the nginx.conf upstream's module makes of it. Upstream services.odoo's own vhost
# (`domain`) is not used: it has only `/` and `/websocket`, none of the settings' routes,
# headers or caching.
{
  config,
  lib,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  n = cfg.resolved.nginx;
  cacheZone = "odoo_static";
  quote = builtins.replaceStrings [ "\\" "\"" ] [ "\\\\" "\\\"" ];

  # `always`: error pages and nginx's own answers (deny, health) carry them too
  securityHeaders = lib.concatStrings (
    lib.mapAttrsToList (name: value: ''
      add_header ${name} "${quote value}" always;
    '') n.security_headers
  );

  # What einvoice_stack.render_nginx writes for each action (the upstream module
  # adds proxy_pass, the websocket headers, `return` and, with recommendedProxySettings,
  # the Host/X-Forwarded-* headers itself).
  locationConfig =
    loc:
    {
      inherit (loc) priority;
      proxyPass = loc.proxy_pass;
      proxyWebsockets = loc.websocket;
      inherit (loc) return;
      extraConfig = lib.concatStringsSep "\n" (
        lib.optionals (loc.action == "websocket") [ "proxy_read_timeout 3600s;" ]
        ++ lib.optionals (loc.action == "static") [
          "proxy_cache ${cacheZone};"
          "proxy_cache_valid 200 304 ${loc.cache_valid};"
          "proxy_cache_use_stale error timeout updating;"
          "proxy_cache_lock on;"
          "proxy_buffering on;"
          # add_header here replaces the server's: the security headers are repeated
          "add_header X-Cache-Status $upstream_cache_status always;"
          securityHeaders
        ]
        ++ lib.optionals (loc.action == "health") [
          "access_log off;"
          "default_type text/plain;"
        ]
      );
    };
in
lib.mkIf (cfg.enable && cfg.roles.proxy) {
  services.nginx = {
    enable = true;
    recommendedProxySettings = true;
    recommendedOptimisation = true;
    # the nginx exporter's source: upstream merges /nginx_status (allow 127.0.0.1 only)
    # into virtualHosts.localhost, which listens on port 80; on loopback only here
    statusPage = true;
    virtualHosts.localhost.listenAddresses = [ "127.0.0.1" ];
    clientMaxBodySize = n.client_max_body_size;
    # request and upstream times and the cache status in the access log (docs/operations.md)
    commonHttpConfig = "log_format timed '$remote_addr [$time_local] \"$request\" $status $body_bytes_sent ' 'rt=$request_time urt=$upstream_response_time cache=$upstream_cache_status';";
    appendHttpConfig = ''
      access_log /var/log/nginx/access.log timed;
      proxy_cache_path /var/cache/nginx/${cacheZone} levels=1:2 keys_zone=${cacheZone}:10m max_size=256m inactive=${n.static_cache} use_temp_path=off;
      gzip on;
      gzip_vary on;
      gzip_proxied any;
      gzip_min_length 256;
      gzip_types ${lib.concatStringsSep " " n.gzip_types};
    '';
    upstreams = lib.mapAttrs (_: servers: {
      servers = lib.genAttrs servers (_: { });
    }) n.upstreams;
    # Not named after the domain: with the default server_name, "localhost", it would be
    # the status page's vhost, whose /nginx_status would then answer on this port only.
    virtualHosts.l10n-cr-einvoice = {
      default = true;
      serverName = cfg.domain;
      listen = [
        {
          inherit (n.listen) addr port;
        }
      ];
      extraConfig = ''
        proxy_connect_timeout 10s;
        proxy_read_timeout 720s;
        proxy_send_timeout 720s;
      ''
      + securityHeaders
      # Odoo sets some of them itself (X-Frame-Options on /web/login): one value each, ours
      + lib.concatStrings (lib.mapAttrsToList (name: _: "proxy_hide_header ${name};\n") n.security_headers);
      locations = lib.listToAttrs (map (loc: lib.nameValuePair loc.key (locationConfig loc)) n.locations);
    };
  };
}
