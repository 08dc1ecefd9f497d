# Mirrors nixos/modules/config/users-groups.nix (the options the project and the
# mirrored service modules set).
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options.users = {
    users = mkOption {
      default = { };
      type = types.attrsOf (
        types.submodule (
          { name, ... }:
          {
            options = {
              name = mkOption {
                type = types.str;
                default = name;
              };
              isSystemUser = mkOption {
                type = types.bool;
                default = false;
              };
              isNormalUser = mkOption {
                type = types.bool;
                default = false;
              };
              group = mkOption {
                type = types.str;
                default = "";
              };
              extraGroups = mkOption {
                type = types.listOf types.str;
                default = [ ];
              };
              description = mkOption {
                type = types.str;
                default = "";
              };
              home = mkOption {
                type = types.path;
                default = "/var/empty";
              };
              createHome = mkOption {
                type = types.bool;
                default = false;
              };
              uid = mkOption {
                type = types.nullOr types.int;
                default = null;
              };
              shell = mkOption {
                type = types.nullOr (types.either types.shellPackage types.path);
                default = null;
              };
              hashedPassword = mkOption {
                type = types.nullOr types.str;
                default = null;
              };
              hashedPasswordFile = mkOption {
                type = types.nullOr types.str;
                default = null;
              };
              openssh.authorizedKeys.keys = mkOption {
                type = types.listOf types.singleLineStr;
                default = [ ];
              };
            };
          }
        )
      );
    };
    groups = mkOption {
      default = { };
      type = types.attrsOf (
        types.submodule (
          { name, ... }:
          {
            options = {
              name = mkOption {
                type = types.str;
                default = name;
              };
              gid = mkOption {
                type = types.nullOr types.int;
                default = null;
              };
              members = mkOption {
                type = types.listOf types.str;
                default = [ ];
              };
            };
          }
        )
      );
    };
    mutableUsers = mkOption {
      type = types.bool;
      default = true;
    };
  };
}
