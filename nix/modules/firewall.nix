# Who reaches what (`openFirewall`): nginx, the application, from everywhere; every other
# port of the parts this machine runs only from the stack's private networks
# (`allowedNetworks`): the other machines of the stack, and the VM host through QEMU's
# forwarded ports. Upstream's per-service `openFirewall` options open a port to everyone,
# so none of them is used. Rules go into the iptables firewall's nixos-fw chain, before
# its final refuse rule (networking.firewall.extraCommands).
{
  config,
  lib,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  p = cfg.resolved.ports;
  simulatorRuns = cfg.roles.simulator && cfg.hacienda.environment == "simulator";
  # [ports] keys of the internal services of the parts this machine runs
  privatePorts = map (key: p.${key}) (
    [ "exporter_node" ]
    ++ lib.optionals cfg.roles.database [
      "postgresql"
      "exporter_postgres"
    ]
    ++ lib.optionals cfg.roles.redis [
      "redis"
      "exporter_redis"
    ]
    ++ lib.optionals cfg.roles.odoo [
      "odoo"
      "odoo_gevent"
    ]
    ++ lib.optional simulatorRuns "simulator"
    ++ lib.optionals cfg.roles.monitoring [
      "prometheus"
      "grafana"
    ]
    ++ lib.optional cfg.roles.proxy "exporter_nginx"
  );
  iptables = net: if lib.hasInfix ":" net then "ip6tables" else "iptables";
in
lib.mkIf (cfg.enable && cfg.openFirewall) {
  networking.firewall.allowedTCPPorts = lib.optional cfg.roles.proxy p.nginx;
  networking.firewall.extraCommands = lib.concatMapStrings (
    net:
    lib.concatMapStrings (port: ''
      ${iptables net} -A nixos-fw -s ${net} -p tcp -m tcp --dport ${toString port} -m comment --comment l10n-cr-einvoice -j nixos-fw-accept
    '') privatePorts
  ) cfg.allowedNetworks;
}
