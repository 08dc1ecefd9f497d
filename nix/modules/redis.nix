# The Redis part: the shared Hacienda token cache and sending locks, on [ports].redis.
# Password-protected (secrets.redisPasswordFile, read by upstream's root ExecStartPre into
# the runtime config, never the store): tokens are in it. Listens on 127.0.0.1 (its
# exporter) and on this machine's `listenAddress`; the firewall opens it to the stack's
# private networks only (firewall.nix).
{
  config,
  lib,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  r = cfg.resolved.redis;
  addresses = lib.unique [
    "127.0.0.1"
    cfg.listenAddress
  ];
in
lib.mkIf (cfg.enable && cfg.roles.redis) {
  services.redis.servers.l10n-cr-einvoice = {
    enable = true;
    port = r.listen.port;
    # "0.0.0.0" already includes loopback
    bind = if cfg.listenAddress == "0.0.0.0" then cfg.listenAddress else lib.concatStringsSep " " addresses;
    requirePassFile = cfg.secrets.redisPasswordFile;
    # a cache: nothing to persist
    save = [ ];
    settings = {
      maxmemory = r.maxmemory;
      maxmemory-policy = r.maxmemory_policy;
    };
  };
}
