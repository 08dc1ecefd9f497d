# The Odoo part: upstream services.odoo with odoo19 + the addons, configured from the
# resolved settings. What upstream does not fit, and what this does instead:
#  - secrets: upstream renders one odoo.cfg into the store; here ExecStartPre renders
#    /run/odoo/odoo.cfg from it plus admin_passwd/db_password read from credentials.
#  - autoInit: upstream initialises a database named "odoo" (`--init=INIT`); the staging
#    database is [stack].database, initialised with [odoo].modules on first start.
#  - nginx: upstream's vhost (`domain`) is left off; nginx.nix builds the routes.
#  - on a machine without the database part, upstream's local PostgreSQL is disabled.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  r = cfg.resolved;
  odoo = config.services.odoo;
  cfgFile = (pkgs.formats.ini { }).generate "odoo.cfg" odoo.settings;
  runtimeCfg = "/run/odoo/odoo.cfg";
  odooBin = "${odoo.package}/bin/odoo";
  initialized = "/var/lib/odoo/.l10n-cr-einvoice-initialized";

  renderConfig = pkgs.writeShellScript "odoo-render-config" ''
    set -euo pipefail
    umask 077
    cred() { cat "$CREDENTIALS_DIRECTORY/$1"; }
    {
      echo "[options]"
      printf 'admin_passwd = %s\n' "$(cred admin-password)"
      printf 'db_password = %s\n' "$(cred db-password)"
      printf 'l10n_cr_einvoice_metrics_token_file = %s\n' "$CREDENTIALS_DIRECTORY/metrics-token"
      grep -v '^\[options\]$' ${cfgFile}
    } > ${runtimeCfg}.new
    mv ${runtimeCfg}.new ${runtimeCfg}
  '';

  # First start only: install the stack's modules into the staging database and give
  # the admin user the password from its secret file (Odoo creates it as admin/admin).
  initDatabase = pkgs.writeShellScript "odoo-init-staging-db" ''
    set -euo pipefail
    if [ -e ${initialized} ]; then exit 0; fi
    ${odooBin} --config=${runtimeCfg} --database=${lib.escapeShellArg r.stack.database} \
      --init=${lib.escapeShellArg (lib.concatStringsSep "," r.odoo.modules)} \
      --load-language=${lib.escapeShellArg r.stack.lang} --stop-after-init --no-http
    ${odooBin} shell --config=${runtimeCfg} --database=${lib.escapeShellArg r.stack.database} \
      --no-http <<'PY'
    import os
    path = os.path.join(os.environ["CREDENTIALS_DIRECTORY"], "admin-password")
    with open(path, encoding="utf-8") as fh:
        env.ref("base.user_admin").password = fh.read().strip()
    env.cr.commit()
    PY
    touch ${initialized}
  '';
in
lib.mkIf (cfg.enable && cfg.roles.odoo) {
  services.odoo = {
    enable = true;
    package = cfg.packages.odoo;
    addons = [ cfg.packages.addons ];
    autoInit = false;
    domain = null;
    settings.options = r.odoo.options // {
      l10n_cr_einvoice_schema_dir = "${cfg.packages.schemas}";
    };
  };

  # Upstream always wants a local PostgreSQL; the split deployment has it elsewhere.
  services.postgresql.enable = lib.mkIf (!cfg.roles.database) (lib.mkForce false);

  systemd.services.odoo = {
    after = [
      "network-online.target"
    ]
    ++ lib.optional cfg.roles.redis "redis-l10n-cr-einvoice.service"
    ++ lib.optional cfg.roles.database "l10n-cr-einvoice-staging-db-setup.service";
    wants = [ "network-online.target" ];
    requires = lib.mkIf (!cfg.roles.database) (lib.mkForce [ ]);
    serviceConfig = (import ./hardening.nix) // {
      # read /run/odoo/odoo.cfg, not the store file upstream points ODOO_RC at
      ExecStart = lib.mkForce "${odooBin} --config=${runtimeCfg}";
      ExecStartPre = [
        renderConfig
        initDatabase
      ];
      RuntimeDirectory = "odoo";
      RuntimeDirectoryMode = "0700";
      LoadCredential = [
        "admin-password:${cfg.secrets.adminPasswordFile}"
        "db-password:${cfg.secrets.databasePasswordFile}"
        "metrics-token:${cfg.secrets.metricsTokenFile}"
      ];
      # the first start installs modules: minutes, not seconds
      TimeoutStartSec = "30min";
      Restart = "on-failure";
      # gevent, the longpolling worker and wkhtmltopdf need the usual syscalls
      SystemCallFilter = [ "@system-service" ];
      MemoryMax = "3G";
    };
  };

  systemd.services.l10n-cr-einvoice-staging-seed = lib.mkIf (cfg.seed.command != null) {
    description = "Seed the l10n-cr-einvoice staging company";
    wantedBy = [ "multi-user.target" ];
    after = [ "odoo.service" ] ++ lib.optional cfg.roles.simulator "l10n-cr-einvoice-simulator.service";
    requires = [ "odoo.service" ];
    path = [
      odoo.package
      pkgs.curl
      pkgs.python3
    ];
    environment = {
      STACK_SETTINGS = "${cfg.settingsFile}";
      STACK_URL = "http://${cfg.hosts.proxy}:${toString r.nginx.listen.port}";
      ODOO_URL = "http://${cfg.hosts.odoo}:${toString r.ports.odoo}";
      ODOO_DB = r.stack.database;
      ODOO_ADMIN_LOGIN = r.stack.admin_login;
      ODOO_ADMIN_PASSWORD_FILE = cfg.secrets.adminPasswordFile;
      HACIENDA_ENVIRONMENT = cfg.hacienda.environment;
      HACIENDA_SIMULATOR_URL = r.simulator.url;
      HACIENDA_CREDENTIALS_FILE = cfg.secrets.haciendaCredentialsFile;
      CERTIFICATE_FILE = cfg.secrets.certificateFile;
      CERTIFICATE_PIN_FILE = cfg.secrets.certificatePinFile;
    };
    serviceConfig = (import ./hardening.nix) // {
      Type = "oneshot";
      RemainAfterExit = true;
      # reads the secret files (and may create the test certificate next to them)
      ReadWritePaths = [ (dirOf cfg.secrets.certificateFile) ];
      ExecStart = cfg.seed.command;
      TimeoutStartSec = "15min";
    };
  };

  networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [
    r.ports.odoo
    r.ports.odoo_gevent
  ];
}
