# The Redis part: the shared Hacienda token cache and sending locks, on [ports].redis.
# Reached without a password: keep it on loopback or a private network.
{
  config,
  lib,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  r = cfg.resolved.redis;
  loopbackOnly = builtins.elem cfg.listenAddress [
    "127.0.0.1"
    "::1"
    "localhost"
  ];
in
lib.mkIf (cfg.enable && cfg.roles.redis) {
  services.redis.servers.l10n-cr-einvoice = {
    enable = true;
    port = r.listen.port;
    bind = cfg.listenAddress;
    inherit (cfg) openFirewall;
    # a cache: nothing to persist
    save = [ ];
    settings = {
      maxmemory = r.maxmemory;
      maxmemory-policy = r.maxmemory_policy;
      protected-mode = if loopbackOnly then "yes" else "no";
    };
  };
}
