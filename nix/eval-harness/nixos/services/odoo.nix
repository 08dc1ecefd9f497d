# Stand-in for nixos/modules/services/finance/odoo.nix at nixpkgs
# 913611c2e5ee984eb60ad1995ed011d04f68ae47. Declares the options the project sets; does
# what upstream does with them inside `mkIf cfg.enable`:
#  - `package` defaults (mkDefault) to odoo19 for system.stateVersion >= 25.11;
#  - settings.options gets data_dir, list_db = mkDefault false and addons_path from
#    `addons`; `workers` and `proxy_mode` are typed (proxy_mode defaults to domain != null);
#  - with `domain` set, an nginx vhost of that name (upstreams odoo 127.0.0.1:8069 and
#    odoochat 127.0.0.1:8072, `/` and `/websocket`);
#  - the odoo unit: after/requires postgresql.target, `path = [ services.postgresql.package ]`
#    (read even where PostgreSQL is disabled), ExecStart bin/odoo, ONE ExecStartPre script
#    (cd $STATE_DIRECTORY, migration of .local/share/Odoo, autoInit), DynamicUser,
#    StateDirectory odoo, ODOO_RC pointing at the generated odoo.cfg;
#  - services.postgresql enabled with database and user "odoo" (ensureDBOwnership).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.odoo;
  format = pkgs.formats.ini { };
  cfgFile = format.generate "odoo.cfg" cfg.settings;
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
    };
    autoInit = lib.mkEnableOption "automatically initialize the DB";
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
    };
    domain = lib.mkOption {
      type = with lib.types; nullOr str;
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
    services.odoo = {
      package = lib.mkDefault (
        if lib.versionOlder config.system.stateVersion "25.11" then pkgs.odoo18 else pkgs.odoo19
      );
      settings.options = {
        data_dir = "/var/lib/private/odoo/data";
        list_db = lib.mkDefault false;
      }
      // lib.optionalAttrs (cfg.addons != [ ]) {
        addons_path = lib.concatMapStringsSep "," lib.escapeShellArg cfg.addons;
      };
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
      # pg_dump
      path = [ config.services.postgresql.package ];
      requires = [ "postgresql.target" ];
      serviceConfig = {
        ExecStart = "${cfg.package}/bin/odoo";
        ExecStartPre = pkgs.writeShellScript "odoo-start-pre.sh" (
          ''
            set -euo pipefail
            cd "$STATE_DIRECTORY"
          ''
          + lib.optionalString cfg.autoInit ''
            INITIALIZED="${cfg.settings.options.data_dir}/.odoo.initialized"
            if [ ! -e "$INITIALIZED" ]; then
              ${cfg.package}/bin/odoo --init=INIT --database=odoo --db_user=odoo --stop-after-init
              touch "$INITIALIZED"
            fi
          ''
        );
        DynamicUser = true;
        User = "odoo";
        StateDirectory = "odoo";
        Environment = [ "ODOO_RC=${cfgFile}" ];
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
