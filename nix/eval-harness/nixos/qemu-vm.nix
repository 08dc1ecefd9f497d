# Mirrors the options of nixos/modules/virtualisation/qemu-vm.nix the project uses (only
# VM variants and test nodes import it, as in nixpkgs) and builds system.build.vm, the
# `run-<hostName>-vm` script, from the VM's toplevel.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  forwardPort = types.submodule {
    options = {
      from = mkOption {
        type = types.enum [
          "host"
          "guest"
        ];
        default = "host";
      };
      proto = mkOption {
        type = types.enum [
          "tcp"
          "udp"
        ];
        default = "tcp";
      };
      host.address = mkOption {
        type = types.str;
        default = "";
      };
      host.port = mkOption { type = types.port; };
      guest.address = mkOption {
        type = types.str;
        default = "";
      };
      guest.port = mkOption { type = types.port; };
    };
  };
in
{
  # upstream declares it here too; the test network sets it (nixos/lib/testing/network.nix)
  options.networking.primaryIPAddress = mkOption {
    type = types.str;
    default = "";
    internal = true;
  };
  options.virtualisation = {
    memorySize = mkOption {
      type = types.ints.positive;
      default = 1024;
    };
    cores = mkOption {
      type = types.ints.positive;
      default = 1;
    };
    diskSize = mkOption {
      type = types.nullOr (types.ints.positive);
      default = 1024;
    };
    graphics = mkOption {
      type = types.bool;
      default = true;
    };
    forwardPorts = mkOption {
      type = types.listOf forwardPort;
      default = [ ];
    };
    vlans = mkOption {
      type = types.listOf types.ints.unsigned;
      default = [ 1 ];
    };
    writableStore = mkOption {
      type = types.bool;
      default = true;
    };
    qemu.options = mkOption {
      type = types.listOf types.str;
      default = [ ];
    };
    sharedDirectories = mkOption {
      default = { };
      type = types.attrsOf (
        types.submodule {
          options.source = mkOption { type = types.str; };
          options.target = mkOption { type = types.path; };
        }
      );
    };
  };

  config = {
    fileSystems = lib.mkVMOverride {
      "/" = {
        device = "/dev/disk/by-label/nixos";
        fsType = "ext4";
      };
    };
    boot.loader.grub.device = lib.mkVMOverride "/dev/vda";
    system.build.vm = pkgs.runCommand "nixos-vm" {
      toplevel = config.system.build.toplevel;
      forwardPorts = config.virtualisation.forwardPorts;
      memorySize = config.virtualisation.memorySize;
      passthru.runner = "bin/run-${config.networking.hostName}-vm";
    } "mkdir -p $out/bin";
  };
}
