# The database part: PostgreSQL 15 on [ports].postgresql, the staging database owned by
# the Odoo user, whose password (a secret file) is set at every start so rotating the
# file is enough.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  r = cfg.resolved;
  db = r.stack.database;
  user = r.stack.db_user;
  pg = config.services.postgresql;
  loopbackOnly = builtins.elem cfg.listenAddress [
    "127.0.0.1"
    "::1"
    "localhost"
  ];
in
lib.mkIf (cfg.enable && cfg.roles.database) {
  services.postgresql = {
    enable = true;
    enableTCPIP = !loopbackOnly;
    settings = {
      port = r.postgresql.listen.port;
      listen_addresses = lib.mkForce cfg.listenAddress;
      # as scripts/stack's postgresql.conf
      shared_buffers = "256MB";
      jit = "off";
      timezone = r.stack.timezone;
    };
    ensureUsers = [ { name = user; } ];
    # Odoo's role to its database and to `postgres`, where Odoo's server checks connect
    # (/web/health?db_server_status=1), as in scripts/stack's pg_hba.conf
    authentication = lib.concatMapStrings (net: ''
      host ${db},postgres ${user} ${net} scram-sha-256
    '') cfg.allowedNetworks;
  };

  systemd.services.l10n-cr-einvoice-staging-db-setup = {
    description = "Create the staging database and set the Odoo user's password";
    wantedBy = [ "multi-user.target" ];
    after = [ "postgresql.target" ];
    requires = [ "postgresql.target" ];
    before = lib.optional cfg.roles.odoo "odoo.service";
    requiredBy = lib.optional cfg.roles.odoo "odoo.service";
    path = [ pg.package ];
    environment.PGPORT = toString r.postgresql.listen.port;
    serviceConfig = (import ./hardening.nix) // {
      Type = "oneshot";
      RemainAfterExit = true;
      User = "postgres";
      Group = "postgres";
      LoadCredential = [ "db-password:${cfg.secrets.databasePasswordFile}" ];
      RestrictAddressFamilies = [ "AF_UNIX" ];
    };
    script = ''
      # The password goes through a psql variable read from the file by psql itself:
      # never on a command line, and quoted by :'password'.
      psql -v ON_ERROR_STOP=1 -d postgres \
        -v user=${lib.escapeShellArg user} -v db=${lib.escapeShellArg db} <<'SQL'
      \set password `cat "$CREDENTIALS_DIRECTORY/db-password"`
      ALTER ROLE :"user" WITH LOGIN PASSWORD :'password';
      SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'db', :'user', 'UTF8')
        WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
      \c :"db"
      SET ROLE :"user";
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      SQL
    '';
  };
}
