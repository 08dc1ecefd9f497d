# Mirrors nixos/modules/services/finance/odoo.nix as of nixpkgs
# 913611c2e5ee984eb60ad1995ed011d04f68ae47 (the revision family flake.lock pins):
# options with their types and defaults, and the config it contributes (postgresql
# enabled with database/user "odoo", the odoo unit, the /websocket vhost when `domain`
# is set), so overrides of it in the project merge as they would against nixpkgs.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.odoo;
  format = pkgs.formats.ini { };
in
{
  options.services.odoo = {
    enable = lib.mkEnableOption "odoo, an open source ERP and CRM system";
    package = lib.mkOption {
      type = lib.types.package;
      description = "Which package to use for the Odoo instance.";
    };
    addons = lib.mkOption {
      type = with lib.types; listOf package;
      default = [ ];
      description = "Odoo addons.";
    };
    autoInit = lib.mkEnableOption "automatically initialize the DB";
    autoInitExtraFlags = lib.mkOption {
      type = with lib.types; listOf str;
      default = [ ];
      description = "Extra flags passed to odoo when run for the first time by autoInit";
    };
    settings = lib.mkOption {
      type = lib.types.submodule {
        options.options = {
          workers = lib.mkOption {
            type = lib.types.ints.unsigned;
            default = 0;
          };
          proxy_mode = lib.mkOption {
            type = lib.types.bool;
            default = cfg.domain != null;
          };
        };
        freeformType = format.type;
      };
      default = { };
      description = "Odoo configuration settings.";
    };
    domain = lib.mkOption {
      type = with lib.types; nullOr str;
      description = "Domain to host Odoo with nginx";
      default = null;
    };
  };

  config = lib.mkIf cfg.enable {
    services.nginx = lib.mkIf (cfg.domain != null) {
      upstreams = {
        odoo.servers."127.0.0.1:8069" = { };
        odoochat.servers."127.0.0.1:8072" = { };
      };
      virtualHosts.${cfg.domain}.locations = {
        "/websocket".proxyPass = "http://odoochat";
        "/".proxyPass = "http://odoo";
      };
    };
    services.odoo.settings.options = {
      data_dir = "/var/lib/private/odoo/data";
      list_db = lib.mkDefault false;
    }
    // lib.optionalAttrs (cfg.addons != [ ]) {
      addons_path = lib.concatMapStringsSep "," lib.escapeShellArg cfg.addons;
    };
    users.users.odoo = {
      isSystemUser = true;
      group = "odoo";
    };
    users.groups.odoo = { };
    systemd.services.odoo = {
      wantedBy = [ "multi-user.target" ];
      after = [
        "network.target"
        "postgresql.target"
      ];
      path = [ config.services.postgresql.package ];
      requires = [ "postgresql.target" ];
      serviceConfig = {
        ExecStart = "${cfg.package}/bin/odoo";
        ExecStartPre = pkgs.writeShellScript "odoo-start-pre.sh" (
          "cd \"$STATE_DIRECTORY\"\n"
          + lib.optionalString cfg.autoInit "${cfg.package}/bin/odoo --init=INIT --database=odoo --db_user=odoo --stop-after-init ${lib.concatStringsSep " " cfg.autoInitExtraFlags}\n"
        );
        DynamicUser = true;
        User = "odoo";
        StateDirectory = "odoo";
        Environment = [ "ODOO_RC=${format.generate "odoo.cfg" cfg.settings}" ];
      };
    };
    services.postgresql = {
      enable = true;
      ensureDatabases = [ "odoo" ];
      ensureUsers = [
        {
          name = "odoo";
          ensureDBOwnership = true;
        }
      ];
    };
  };
}
