# Mirrors (options only, same names/types/defaults):
#   nixos/modules/misc/assertions.nix        assertions, warnings
#   nixos/modules/misc/version.nix           system.stateVersion
#   nixos/modules/misc/nixpkgs.nix           nixpkgs.hostPlatform, nixpkgs.pkgs (-> pkgs arg)
#   nixos/modules/config/system-path.nix     environment.systemPackages
#   nixos/modules/system/etc/etc.nix         environment.etc (text/source/mode)
#   nixos/modules/config/locale.nix          time.timeZone
#   nixos/modules/tasks/filesystems.nix      fileSystems (device, fsType, options)
#   nixos/modules/system/boot/loader/grub/grub.nix  boot.loader.grub.{enable,device,devices}
{
  config,
  lib,
  pkgs,
  harness,
  ...
}:
let
  inherit (lib) mkOption types;
  platformSystem =
    p: if builtins.isString p then p else p.system;
in
{
  options = {
    assertions = mkOption {
      type = types.listOf types.unspecified;
      internal = true;
      default = [ ];
    };
    warnings = mkOption {
      internal = true;
      default = [ ];
      type = types.listOf types.str;
    };
    system.stateVersion = mkOption {
      type = types.str;
      description = "The NixOS release the system's stateful data stems from.";
    };
    nixpkgs.hostPlatform = mkOption {
      type = types.either types.str (types.attrsOf types.anything);
      example = "x86_64-linux";
      description = "The platform the system runs on.";
    };
    nixpkgs.pkgs = mkOption {
      type = types.nullOr (types.attrsOf types.anything);
      default = null;
      description = "An explicit package set (instead of nixpkgs.hostPlatform).";
    };
    environment.systemPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
    };
    environment.etc = mkOption {
      default = { };
      type = types.attrsOf (
        types.submodule (
          { name, config, ... }:
          {
            config.source = lib.mkIf (config.text != null) (
              lib.mkDefault (pkgs.writeText "etc-${baseNameOf name}" config.text)
            );
            options = {
              enable = mkOption {
                type = types.bool;
                default = true;
              };
              target = mkOption {
                type = types.str;
                default = name;
              };
              text = mkOption {
                type = types.nullOr types.lines;
                default = null;
              };
              source = mkOption { type = types.path; };
              mode = mkOption {
                type = types.str;
                default = "symlink";
              };
              user = mkOption {
                type = types.str;
                default = "+0";
              };
              group = mkOption {
                type = types.str;
                default = "+0";
              };
            };
          }
        )
      );
    };
    time.timeZone = mkOption {
      type = types.nullOr (types.addCheck types.str (s: builtins.match ".* .*" s == null));
      default = null;
    };
    fileSystems = mkOption {
      default = { };
      type = types.attrsOf (
        types.submodule {
          options = {
            device = mkOption {
              type = types.nullOr types.str;
              default = null;
            };
            fsType = mkOption {
              type = types.str;
              default = "auto";
            };
            options = mkOption {
              type = types.nonEmptyListOf types.str;
              default = [ "defaults" ];
            };
          };
        }
      );
    };
    boot.loader.grub = {
      enable = mkOption {
        type = types.bool;
        default = true;
      };
      device = mkOption {
        type = types.str;
        default = "";
      };
      devices = mkOption {
        type = types.listOf types.str;
        default = [ ];
      };
    };
    boot.isContainer = mkOption {
      type = types.bool;
      default = false;
    };
  };

  config = {
    _module.args.pkgs =
      if config.nixpkgs.pkgs != null then
        config.nixpkgs.pkgs
      else
        harness.pkgsFor.${platformSystem config.nixpkgs.hostPlatform}
          or (throw "nixpkgs.hostPlatform ${builtins.toJSON config.nixpkgs.hostPlatform}: the harness has no packages for it");
  };
}
