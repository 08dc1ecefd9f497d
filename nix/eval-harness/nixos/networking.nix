# Mirrors nixos/modules/tasks/network-interfaces.nix (hostName, hosts, interfaces'
# IPv4 addresses) and nixos/modules/services/networking/firewall.nix (the options used).
{ lib, ... }:
let
  inherit (lib) mkOption types;
  portsOrRanges = mkOption {
    type = types.listOf types.port;
    default = [ ];
  };
in
{
  options.networking = {
    hostName = mkOption {
      default = "nixos";
      type = types.strMatching "^$|^[[:alnum:]]([[:alnum:]_-]{0,61}[[:alnum:]])?$";
    };
    domain = mkOption {
      type = types.nullOr types.str;
      default = null;
    };
    hosts = mkOption {
      type = types.attrsOf (types.listOf types.str);
      default = { };
    };
    useDHCP = mkOption {
      type = types.bool;
      default = true;
    };
    interfaces = mkOption {
      default = { };
      type = types.attrsOf (
        types.submodule {
          options.ipv4.addresses = mkOption {
            default = [ ];
            type = types.listOf (
              types.submodule {
                options = {
                  address = mkOption { type = types.str; };
                  prefixLength = mkOption { type = types.addCheck types.int (n: n >= 0 && n <= 32); };
                };
              }
            );
          };
        }
      );
    };
    firewall = {
      enable = mkOption {
        type = types.bool;
        default = true;
      };
      allowedTCPPorts = portsOrRanges;
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
