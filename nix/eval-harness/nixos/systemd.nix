# Mirrors nixos/lib/systemd-unit-options.nix (unit and service options, the
# `systemd option` merge of serviceConfig values: lists concatenate, scalars must agree;
# startLimitBurst/startLimitIntervalSec have no default and reach [Unit] only when set)
# and the parts of nixos/modules/system/boot/systemd.nix + nixos/lib/systemd-lib.nix that
# turn script/preStart/path into ExecStart/ExecStartPre/PATH and check Type= and Restart=.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;

  # nixos/lib/systemd-unit-options.nix: lists concatenate, scalars must agree.
  unitOption = lib.mkOptionType {
    name = "systemd option";
    merge =
      loc: defs:
      let
        defs' = lib.filterOverrides defs;
      in
      if lib.any (def: builtins.isList def.value) defs' then
        lib.concatMap (def: lib.toList def.value) defs'
      else
        lib.mergeEqualOption loc defs';
  };
  atom = types.oneOf [
    types.bool
    types.int
    types.str
    types.path
    types.package
  ];
  unitOptionType = types.addCheck unitOption (
    v: atom.check v || (builtins.isList v && lib.all atom.check v)
  );

  unitNames = mkOption {
    default = [ ];
    type = types.listOf types.str;
  };

  commonUnitOptions = {
    enable = mkOption {
      default = true;
      type = types.bool;
    };
    description = mkOption {
      default = "";
      type = types.singleLineStr;
    };
    documentation = mkOption {
      default = [ ];
      type = types.listOf types.str;
    };
    requires = unitNames;
    wants = unitNames;
    upholds = unitNames;
    after = unitNames;
    before = unitNames;
    bindsTo = unitNames;
    partOf = unitNames;
    conflicts = unitNames;
    requisite = unitNames;
    wantedBy = unitNames;
    requiredBy = unitNames;
    upheldBy = unitNames;
    onFailure = unitNames;
    onSuccess = unitNames;
    unitConfig = mkOption {
      default = { };
      type = types.attrsOf unitOptionType;
    };
    restartTriggers = mkOption {
      default = [ ];
      type = types.listOf types.unspecified;
    };
    reloadTriggers = mkOption {
      default = [ ];
      type = types.listOf types.unspecified;
    };
    # no default (upstream): left out of the unit unless set, i.e. systemd's
    # DefaultStartLimitIntervalSec=10s / DefaultStartLimitBurst=5 apply
    startLimitBurst = mkOption { type = types.int; };
    startLimitIntervalSec = mkOption { type = types.int; };
  };

  serviceModule =
    {
      name,
      config,
      options,
      ...
    }:
    {
      options = commonUnitOptions // {
        environment = mkOption {
          default = { };
          type =
            with types;
            attrsOf (
              nullOr (oneOf [
                str
                path
                package
              ])
            );
        };
        path = mkOption {
          default = [ ];
          type = types.listOf (types.oneOf [
            types.package
            types.str
          ]);
        };
        serviceConfig = mkOption {
          default = { };
          type = types.attrsOf unitOptionType;
        };
        script = mkOption {
          type = types.lines;
          default = "";
        };
        scriptArgs = mkOption {
          type = types.str;
          default = "";
        };
        preStart = mkOption {
          type = types.lines;
          default = "";
        };
        postStart = mkOption {
          type = types.lines;
          default = "";
        };
        reload = mkOption {
          type = types.lines;
          default = "";
        };
        preStop = mkOption {
          type = types.lines;
          default = "";
        };
        postStop = mkOption {
          type = types.lines;
          default = "";
        };
        restartIfChanged = mkOption {
          type = types.bool;
          default = true;
        };
        reloadIfChanged = mkOption {
          type = types.bool;
          default = false;
        };
        stopIfChanged = mkOption {
          type = types.bool;
          default = true;
        };
        startAt = mkOption {
          type = with types; either str (listOf str);
          default = [ ];
        };
      };
      config = {
        unitConfig = lib.mkMerge [
          (lib.mkIf options.startLimitBurst.isDefined { StartLimitBurst = config.startLimitBurst; })
          (lib.mkIf options.startLimitIntervalSec.isDefined {
            StartLimitIntervalSec = config.startLimitIntervalSec;
          })
        ];
        environment.PATH = lib.mkIf (config.path != [ ]) (
          "${lib.makeBinPath config.path}:${lib.makeSearchPathOutput "bin" "sbin" config.path}"
        );
        serviceConfig = lib.mkMerge [
          (lib.mkIf (config.script != "") {
            ExecStart = "${pkgs.writeShellScript "${name}-start" config.script} ${config.scriptArgs}";
          })
          (lib.mkIf (config.preStart != "") {
            ExecStartPre = [ (pkgs.writeShellScript "${name}-pre-start" config.preStart) ];
          })
          (lib.mkIf (config.postStart != "") {
            ExecStartPost = [ (pkgs.writeShellScript "${name}-post-start" config.postStart) ];
          })
        ];
      };
    };

  targetModule = {
    options = commonUnitOptions;
  };

  # nixos/lib/systemd-lib.nix checkService: values systemd would reject at boot.
  serviceTypes = [
    "exec"
    "simple"
    "forking"
    "oneshot"
    "dbus"
    "notify"
    "notify-reload"
    "idle"
  ];
  restartValues = [
    "no"
    "on-success"
    "on-failure"
    "on-abnormal"
    "on-abort"
    "on-watchdog"
    "always"
  ];
  serviceChecks = lib.concatLists (
    lib.mapAttrsToList (
      name: svc:
      let
        sc = svc.serviceConfig;
      in
      [
        {
          assertion = !(sc ? Type) || builtins.elem sc.Type serviceTypes;
          message = "systemd.services.${name}.serviceConfig.Type: ${builtins.toJSON (sc.Type or null)} is not one of ${lib.concatStringsSep ", " serviceTypes}";
        }
        {
          assertion = !(sc ? Restart) || builtins.elem sc.Restart restartValues;
          message = "systemd.services.${name}.serviceConfig.Restart: ${builtins.toJSON (sc.Restart or null)} is not one of ${lib.concatStringsSep ", " restartValues}";
        }
      ]
    ) config.systemd.services
  );
in
{
  options.systemd = {
    services = mkOption {
      default = { };
      type = types.attrsOf (types.submodule serviceModule);
    };
    targets = mkOption {
      default = { };
      type = types.attrsOf (types.submodule targetModule);
    };
    tmpfiles.rules = mkOption {
      type = types.listOf types.str;
      default = [ ];
    };
  };
  config.assertions = serviceChecks;
}
