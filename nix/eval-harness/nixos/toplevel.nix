# Stand-in for nixos/modules/system/activation/top-level.nix: system.build.toplevel
# fails evaluation on failed assertions (with the same wording) and otherwise is a
# placeholder derivation that forces every systemd unit, every user and every
# configured service option -- what building the real system would evaluate.
# Also mirrors two assertions every bootable NixOS system gets:
#   nixos/modules/tasks/filesystems.nix             (a root file system)
#   nixos/modules/system/boot/loader/grub/grub.nix  (a boot device)
{
  config,
  lib,
  pkgs,
  ...
}:
let
  failedAssertions = map (x: x.message) (lib.filter (x: !x.assertion) config.assertions);
  withWarnings =
    x: lib.foldr (w: acc: builtins.trace "evaluation warning: ${w}" acc) x config.warnings;
  checked =
    if failedAssertions != [ ] then
      throw "\nFailed assertions:\n${lib.concatMapStrings (x: "- ${x}\n") failedAssertions}"
    else
      withWarnings true;
  # what a unit file is made of (upstream's systemd-lib renders these; options without a
  # default, such as startLimitBurst, reach the unit only through unitConfig when set)
  enabledUnits = lib.mapAttrs (
    _: u:
    {
      inherit (u)
        unitConfig
        serviceConfig
        environment
        wantedBy
        requiredBy
        after
        before
        requires
        wants
        ;
    }
  ) (lib.filterAttrs (_: u: u.enable) config.systemd.services);
in
{
  options.system.build = lib.mkOption {
    type = lib.types.lazyAttrsOf lib.types.unspecified;
    default = { };
  };
  config = {
    assertions = [
      {
        assertion = config.boot.isContainer || config.fileSystems ? "/";
        message = "The ‘fileSystems’ option does not specify your root file system.";
      }
      {
        assertion =
          !config.boot.loader.grub.enable
          || config.boot.isContainer
          || config.boot.loader.grub.device != ""
          || config.boot.loader.grub.devices != [ ];
        message = "You must set the option ‘boot.loader.grub.devices’ or 'boot.loader.grub.mirroredBoots' to make the system bootable.";
      }
    ];
    # `nix flake check` (Nix 2.8) only asks whether toplevel is a derivation, which
    # would not force its inputs: force them before the attribute set is returned.
    system.build.toplevel =
      assert checked;
      let
        drv = pkgs.runCommand "nixos-system-${config.networking.hostName}" {
        units = enabledUnits;
        targets = lib.mapAttrs (_: u: {
          inherit (u)
            unitConfig
            wantedBy
            requires
            after
            ;
        }) config.systemd.targets;
        tmpfiles = config.systemd.tmpfiles.rules;
        users = config.users;
        # the services this harness mirrors (others' options are not forced, as a
        # real build would not force options nothing reads)
        services = lib.filterAttrs (_: s: s.enable or false) (
          lib.getAttrs [
            "odoo"
            "postgresql"
            "nginx"
            "prometheus"
            "grafana"
          ] config.services
        );
        redis = lib.filterAttrs (_: s: s.enable) config.services.redis.servers;
        exporters = lib.filterAttrs (_: e: e.enable) config.services.prometheus.exporters;
        inherit (config) environment networking;
      } "";
      in
      builtins.seq drv.drvPath drv;
  };
}
