# Mirrors nixos/modules/tasks/network-interfaces.nix (hostName, hosts) and
# nixos/modules/services/networking/firewall.nix with firewall-iptables.nix (the options
# the project and the test network use).
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.networking = {
    hostName = mkOption {
      default = "nixos";
      type = types.strMatching "^$|^[[:alnum:]]([[:alnum:]_-]{0,61}[[:alnum:]])?$";
    };
    hosts = mkOption {
      type = types.attrsOf (types.listOf types.str);
      default = { };
    };
    firewall = {
      enable = mkOption {
        type = types.bool;
        default = true;
      };
      # open to every source address
      allowedTCPPorts = mkOption {
        type = types.listOf types.port;
        default = [ ];
      };
      # iptables backend (upstream's default while networking.nftables.enable is false):
      # run by the firewall's start script after the allowed ports and before the final
      # `ip46tables -A nixos-fw -j nixos-fw-log-refuse`, so `-A nixos-fw ... -j
      # nixos-fw-accept` rules take effect
      extraCommands = mkOption {
        type = types.lines;
        default = "";
      };
    };
  };
}
