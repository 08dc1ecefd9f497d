# Mirrors nixos/modules/virtualisation/build-vm.nix: virtualisation.vmVariant is the
# whole system extended with qemu-vm.nix, and system.build.vm comes from it.
{
  config,
  lib,
  extendModules,
  ...
}:
let
  vmVariant = extendModules { modules = [ ./qemu-vm.nix ]; };
in
{
  options.virtualisation.vmVariant = lib.mkOption {
    description = "Machine configuration to be added for the vm script produced by `nixos-rebuild build-vm`.";
    inherit (vmVariant) type;
    default = { };
    visible = "shallow";
  };
  config.system.build.vm = lib.mkDefault config.virtualisation.vmVariant.system.build.vm;
}
