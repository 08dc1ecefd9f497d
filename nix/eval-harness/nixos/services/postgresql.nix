# Stand-in for nixos/modules/services/databases/postgresql.nix (nixos-unstable, the stored
# copy read for docs/nix.md: the one with postgresql.target and finalPackage). Declares
# the options the project sets or reads; reproduces what upstream does with them:
#  - `package` has NO default: upstream sets it (mkDefault, by system.stateVersion) only
#    inside `mkIf cfg.enable`, so reading it on a machine without PostgreSQL fails;
#  - `settings.listen_addresses` is set at normal priority from `enableTCPIP` ("*" or
#    "localhost"), so another value needs mkForce; `settings.port` defaults to 5432;
#  - `authentication` gets upstream's default rules after the module's own (mkAfter),
#    `identMap` the postgres map;
#  - units: postgresql.service (Restart=always, start limit 5 in 605 s),
#    postgresql-setup.service (ensureDatabases/ensureUsers), postgresql.target requiring both.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  cfg = config.services.postgresql;
  toStr =
    value:
    if value == true then
      "yes"
    else if value == false then
      "no"
    else if builtins.isString value then
      "'${builtins.replaceStrings [ "'" ] [ "''" ] value}'"
    else
      toString value;
  configFile = pkgs.writeText "postgresql.conf" (
    lib.concatStringsSep "\n" (
      lib.mapAttrsToList (n: v: "${n} = ${toStr v}") (lib.filterAttrs (_: v: v != null) cfg.settings)
    )
  );
in
{
  options.services.postgresql = {
    enable = lib.mkEnableOption "PostgreSQL Server";
    package = mkOption {
      type = types.package;
      description = "The package being used by postgresql.";
    };
    enableTCPIP = mkOption {
      type = types.bool;
      default = false;
    };
    dataDir = mkOption {
      type = types.path;
    };
    authentication = mkOption {
      type = types.lines;
      default = "";
    };
    identMap = mkOption {
      type = types.lines;
      default = "";
    };
    ensureDatabases = mkOption {
      type = types.listOf types.str;
      default = [ ];
    };
    ensureUsers = mkOption {
      default = [ ];
      type = types.listOf (
        types.submodule {
          options = {
            name = mkOption { type = types.str; };
            ensureDBOwnership = mkOption {
              type = types.bool;
              default = false;
            };
          };
        }
      );
    };
    settings = mkOption {
      default = { };
      type = types.submodule {
        freeformType =
          with types;
          attrsOf (oneOf [
            bool
            float
            int
            str
          ]);
        options.port = mkOption {
          type = types.port;
          default = 5432;
        };
      };
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = map (user: {
      assertion = user.ensureDBOwnership -> builtins.elem user.name cfg.ensureDatabases;
      message = ''
        For each database user defined with `services.postgresql.ensureUsers` and
        `ensureDBOwnership = true;`, a database with the same name must be defined
        in `services.postgresql.ensureDatabases`.

        Offender: ${user.name} has not been found among databases.
      '';
    }) cfg.ensureUsers;

    services.postgresql.package = lib.mkDefault (
      if lib.versionAtLeast config.system.stateVersion "25.11" then
        pkgs.postgresql_17
      else if lib.versionAtLeast config.system.stateVersion "24.11" then
        pkgs.postgresql_16
      else
        pkgs.postgresql_15
    );
    services.postgresql.dataDir = lib.mkDefault "/var/lib/postgresql/${cfg.package.psqlSchema}";
    services.postgresql.settings = {
      hba_file = "${pkgs.writeText "pg_hba.conf" cfg.authentication}";
      ident_file = "${pkgs.writeText "pg_ident.conf" cfg.identMap}";
      log_destination = "stderr";
      listen_addresses = if cfg.enableTCPIP then "*" else "localhost";
    };
    services.postgresql.authentication = lib.mkMerge [
      (lib.mkBefore "# Generated file; do not edit!")
      (lib.mkAfter ''
        # default value of services.postgresql.authentication
        local all postgres         peer map=postgres
        local all all              peer
        host  all all 127.0.0.1/32 md5
        host  all all ::1/128      md5
      '')
    ];
    services.postgresql.identMap = lib.mkAfter ''
      postgres postgres postgres
    '';

    users.users.postgres = {
      group = "postgres";
      home = cfg.dataDir;
    };
    users.groups.postgres = { };
    environment.systemPackages = [ cfg.package ];

    systemd.targets.postgresql = {
      wantedBy = [ "multi-user.target" ];
      requires = [
        "postgresql.service"
        "postgresql-setup.service"
      ];
    };
    systemd.services.postgresql = {
      after = [ "network.target" ];
      wants = [ "postgresql.target" ];
      partOf = [ "postgresql.target" ];
      environment.PGDATA = cfg.dataDir;
      path = [ cfg.package ];
      preStart = ''
        if ! test -e ${cfg.dataDir}/PG_VERSION; then
          initdb -U postgres
        fi
        ln -sfn "${configFile}" "${cfg.dataDir}/postgresql.conf"
      '';
      serviceConfig = {
        User = "postgres";
        Group = "postgres";
        RuntimeDirectory = "postgresql";
        Type = "notify";
        KillSignal = "SIGINT";
        KillMode = "mixed";
        TimeoutSec = 120;
        ExecStart = "${cfg.package}/bin/postgres";
        Restart = "always";
      };
      unitConfig = {
        StartLimitIntervalSec = 120 * 5 + 5;
        StartLimitBurst = 5;
      };
    };
    systemd.services.postgresql-setup = {
      requires = [ "postgresql.service" ];
      after = [ "postgresql.service" ];
      serviceConfig = {
        User = "postgres";
        Group = "postgres";
        Type = "oneshot";
        RemainAfterExit = true;
      };
      path = [ cfg.package ];
      environment.PGPORT = toString cfg.settings.port;
      script =
        lib.concatMapStrings (db: ''
          psql -tAc "SELECT 1 FROM pg_database WHERE datname = '${db}'" | grep -q 1 || psql -tAc 'CREATE DATABASE "${db}"'
        '') cfg.ensureDatabases
        + lib.concatMapStrings (user: ''
          psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='${user.name}'" | grep -q 1 || psql -tAc 'CREATE USER "${user.name}"'
        '') cfg.ensureUsers;
    };
  };
}
