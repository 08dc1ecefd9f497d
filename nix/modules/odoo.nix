# The Odoo part: upstream services.odoo with odoo19 + the addons, configured from the
# resolved settings. What upstream does not fit, and what this does instead:
#  - secrets: upstream renders one odoo.cfg into the store; here ExecStartPre completes it
#    into /run/odoo/odoo.cfg (einvoice_stack.render_odoo) with admin_passwd, db_password
#    and Redis' password in the addon's Redis URL, read from credentials.
#  - autoInit: upstream initialises a database named "odoo" (`--init=INIT`); the staging
#    database is [stack].database, brought where scripts/stack brings it (base, the
#    company in Costa Rica, [odoo].modules, the admin) by einvoice_stack.odoo_first_start.
#  - mail: to the stack's SMTP sink (mail-sink.nix), like the plain-host stack.
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

  stackPython = pkgs.python3.withPackages (_: [ cfg.packages.stack ]);

  # The certificates signatures are checked against. Which options name which certificate,
  # per Hacienda environment, is einvoice_stack.stackconf's rule (pki_options: the national
  # PKI always; with the simulator also the stack's test CA and the simulator's sealing
  # certificate); here only the paths go in. The test PKI's certificates reach Odoo as
  # credentials (its directory is root's); no secret is among them: they go into the store's
  # odoo.cfg.
  testPkiFiles = r.test_pki.files;
  credential = name: "/run/credentials/odoo.service/${name}";
  pkiPaths = {
    national_pki = "${cfg.packages.pki}";
    test_ca = credential "test-ca.pem";
    simulator_certificate = credential "simulator-certificate.pem";
  };
  pkiPlaceholder = name: builtins.replaceStrings [ "<name>" ] [ name ] r.odoo.pki_path_placeholder;
  pkiNamed = r.odoo.pki_options.${cfg.hacienda.environment};
  usesPki = name: lib.any (lib.hasInfix (pkiPlaceholder name)) (lib.attrValues pkiNamed);
  pkiOptions = lib.mapAttrs (
    key: value:
    let
      filled = builtins.replaceStrings (map pkiPlaceholder (lib.attrNames pkiPaths)) (lib.attrValues pkiPaths) value;
    in
    if lib.hasInfix "@path:" filled then throw "${key}: no path for ${filled} in nix/modules/odoo.nix" else filled
  ) pkiNamed;
  usesTestPki = usesPki "test_ca" || usesPki "simulator_certificate";

  # upstream's odoo.cfg (the store's, no secret in it) completed with the secrets: what
  # scripts/stack's odoo.conf has, and Redis' password in the addon's Redis URL
  renderConfig = pkgs.writeShellScript "odoo-render-config" ''
    exec ${stackPython}/bin/python3 -m einvoice_stack.render_odoo \
      --base ${cfgFile} --output ${runtimeCfg} \
      --secret admin_passwd="$CREDENTIALS_DIRECTORY/admin-password" \
      --secret db_password="$CREDENTIALS_DIRECTORY/db-password" \
      --set l10n_cr_einvoice_metrics_token_file="$CREDENTIALS_DIRECTORY/metrics-token" \
      --redis-password-file "$CREDENTIALS_DIRECTORY/redis-password"
  '';

  # Before every start, what scripts/stack does before starting Odoo: base, the company
  # in Costa Rica (CRC) before `account`, [odoo].modules, upgrades, the admin and base
  # URLs -- with the Odoo shell scripts of einvoice_stack.odoo_db
  # (einvoice_stack.odoo_first_start says how; it does nothing when everything is done).
  resolvedJson = pkgs.writeText "l10n-cr-einvoice-resolved.json" (builtins.toJSON r);
  firstStart = pkgs.writeShellScript "odoo-first-start" ''
    exec ${stackPython}/bin/python3 -m einvoice_stack.odoo_first_start \
      --resolved ${resolvedJson} \
      --odoo ${odooBin} \
      --psql ${cfg.packages.postgresql}/bin/psql \
      --config ${runtimeCfg} \
      --state-dir "$STATE_DIRECTORY" \
      --admin-password-file "$CREDENTIALS_DIRECTORY/admin-password" \
      --db-password-file "$CREDENTIALS_DIRECTORY/db-password" \
      --addons-id ${cfg.packages.addons}
  '';

  # Mail goes to the stack's SMTP sink (mail-sink.nix) unless it is turned off; then
  # the machine's own settings.options.smtp_* apply.
  mailOptions = [
    "smtp_server"
    "smtp_port"
    "smtp_ssl"
  ];
in
lib.mkIf (cfg.enable && cfg.roles.odoo) {
  services.odoo = {
    enable = true;
    package = cfg.packages.odoo;
    addons = [ cfg.packages.addons ];
    autoInit = false;
    domain = null;
    settings.options =
      (if cfg.mailSink.enable then r.odoo.options else removeAttrs r.odoo.options mailOptions)
      // {
        l10n_cr_einvoice_schema_dir = "${cfg.packages.schemas}";
      }
      // pkiOptions;
  };

  # Upstream always wants a local PostgreSQL; the split deployment has it elsewhere.
  services.postgresql.enable = lib.mkIf (!cfg.roles.database) (lib.mkForce false);

  systemd.services.odoo = {
    after = [
      "network-online.target"
    ]
    ++ lib.optional cfg.roles.redis "redis-l10n-cr-einvoice.service"
    ++ lib.optional cfg.mailSink.enable "l10n-cr-einvoice-smtp-sink.service"
    ++ lib.optional cfg.roles.database "l10n-cr-einvoice-staging-db-setup.service"
    ++ lib.optional usesTestPki "l10n-cr-einvoice-staging-test-pki.service";
    wants = [ "network-online.target" ];
    # as scripts/stack starts Odoo: the XSDs also for code that reads no odoo.conf
    environment.HACIENDA_XSD_DIR = "${cfg.packages.schemas}";
    requires =
      if cfg.roles.database then
        lib.optional usesTestPki "l10n-cr-einvoice-staging-test-pki.service"
      else
        lib.mkForce (lib.optional usesTestPki "l10n-cr-einvoice-staging-test-pki.service");
    # A start that fails (PostgreSQL elsewhere still down after the first start's wait, a
    # module that does not install) is retried every RestartSec for as long as it takes:
    # systemd's default start limit (5 starts in 10 s) would leave Odoo failed for good.
    startLimitIntervalSec = 0;
    serviceConfig = (import ./hardening.nix) // {
      # read /run/odoo/odoo.cfg, not the store file upstream points ODOO_RC at
      ExecStart = lib.mkForce "${odooBin} --config=${runtimeCfg}";
      ExecStartPre = [
        renderConfig
        firstStart
      ];
      RuntimeDirectory = "odoo";
      RuntimeDirectoryMode = "0700";
      LoadCredential = [
        "admin-password:${cfg.secrets.adminPasswordFile}"
        "db-password:${cfg.secrets.databasePasswordFile}"
        "metrics-token:${cfg.secrets.metricsTokenFile}"
        "redis-password:${cfg.secrets.redisPasswordFile}"
      ]
      ++ lib.optionals (usesPki "test_ca") [ "test-ca.pem:${cfg.testPki.directory}/${testPkiFiles.ca_cert}" ]
      ++ lib.optionals (usesPki "simulator_certificate") [
        "simulator-certificate.pem:${cfg.testPki.directory}/${testPkiFiles.seal_cert}"
      ];
      # the first start installs modules (an upgrade -u's them): minutes, not seconds
      TimeoutStartSec = "45min";
      Restart = "on-failure";
      RestartSec = "30s";
      # The main process killed from outside (SIGKILL, the OOM killer): systemd ends every other
      # process of the unit before starting it again, so no orphaned worker keeps Odoo's ports
      # or runs the queue on (systemd's default, which upstream leaves; stated because a restart
      # that succeeds the first time depends on it). The workers also die with the main process
      # themselves: l10n_cr_einvoice is loaded server-wide (server_wide.py).
      KillMode = "control-group";
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
      # scripts/stack-seed makes the test certificate with `hacienda-cr testcert`
      cfg.packages.hacienda-cr
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
      # the seed gives the simulator its public data (/_simulator/public-data)
      SIMULATOR_CONTROL_TOKEN_FILE = cfg.secrets.simulatorControlTokenFile;
    }
    # the company's test certificate is issued by the stack's test CA (test-pki.nix)
    // lib.optionalAttrs usesTestPki { TEST_PKI_DIR = cfg.testPki.directory; };
    serviceConfig = (import ./hardening.nix) // {
      Type = "oneshot";
      RemainAfterExit = true;
      # reads the secret files (and may create the test certificate next to them)
      ReadWritePaths = [ (dirOf cfg.secrets.certificateFile) ];
      ExecStart = cfg.seed.command;
      TimeoutStartSec = "15min";
      # the test certificate it makes is chown'ed to its directory's owner
      SystemCallFilter = [
        "@system-service"
        "~@privileged"
        "@chown"
      ];
    };
  };
}
