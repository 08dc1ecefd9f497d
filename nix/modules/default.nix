# nixosModules.default: the whole staging stack under services.l10n-cr-einvoice-staging.
# Values shared with the plain-host stack come from stack/settings.toml as
# einvoice_stack.stackconf resolves it (stack/settings.resolved.json, read by
# nix/lib/settings.nix into `resolved`, read-only); the options here choose which parts run
# on this machine, where the other parts are, and which files hold the secrets.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  cfg = config.services.l10n-cr-einvoice-staging;
  repoRoot = ../..;
  packages = import ../packages {
    inherit pkgs lib repoRoot;
    inherit (cfg) settingsFile resolvedSettingsFile;
  };
  settingsOnly = import ../lib/settings.nix {
    inherit lib;
    inherit (cfg) settingsFile resolvedSettingsFile;
  };
  roles = [
    "proxy"
    "odoo"
    "database"
    "redis"
    "monitoring"
    "simulator"
  ];

  # A file read at run time, never copied into the Nix store: an absolute path given
  # as a string (a Nix path value like ./secret would be copied to the store).
  secretFile = types.addCheck types.str (
    p: lib.hasPrefix "/" p && !(lib.hasPrefix builtins.storeDir p)
  ) // {
    name = "secretFile";
    description = "absolute path (string) of a file outside the Nix store";
  };
  secretOption =
    description:
    mkOption {
      type = secretFile;
      example = "/run/secrets/l10n-cr-einvoice/${lib.toLower (builtins.replaceStrings [ " " ] [ "-" ] description)}";
      description = "File holding the ${description}; read at run time, never put in the Nix store.";
    };
in
{
  imports = [
    ./firewall.nix
    ./secrets.nix
    ./postgresql.nix
    ./redis.nix
    ./odoo.nix
    ./nginx.nix
    ./simulator.nix
    ./test-pki.nix
    ./monitoring.nix
    ./grafana.nix
    ./mail-sink.nix
  ];

  options.services.l10n-cr-einvoice-staging = {
    enable = lib.mkEnableOption "the l10n-cr-einvoice staging stack (Odoo 19 + Costa Rica e-invoicing, PostgreSQL, Redis, nginx, Prometheus, Grafana, Hacienda simulator)";

    settingsFile = mkOption {
      type = types.path;
      default = ../../stack/settings.toml;
      defaultText = lib.literalExpression "<repository>/stack/settings.toml";
      description = "The stack's shared settings (ports, routes, scrape jobs, Odoo options), also read by the plain-host scripts and by the seed.";
    };

    resolvedSettingsFile = mkOption {
      type = types.path;
      default = ../../stack/settings.resolved.json;
      defaultText = lib.literalExpression "<repository>/stack/settings.resolved.json";
      description = ''
        `settingsFile` as einvoice_stack.stackconf resolves it, the one implementation of
        the settings rules (the plain-host stack uses the same code):
        `python -m einvoice_stack.stackconf --nix-json --settings SETTINGS -o FILE`.
        Evaluation fails when it was made from another settings file.
      '';
    };

    resolved = mkOption {
      type = types.attrsOf types.anything;
      readOnly = true;
      description = ''
        The settings as this machine's services are configured from them: what
        `python -m einvoice_stack.stackconf --json` prints for the plain-host stack, with
        this module's `hosts`, `listenAddress`, `workers` and `hacienda.environment` applied.
      '';
    };

    roles = lib.genAttrs roles (
      role:
      mkOption {
        type = types.bool;
        default = true;
        description = "Whether this machine runs the ${role} part of the stack (all parts by default; the split deployment turns some off per machine).";
      }
    );

    hosts = lib.genAttrs roles (
      role:
      mkOption {
        type = types.str;
        default = settingsOnly.stack.bind_host;
        defaultText = lib.literalMD "`[stack].bind_host` of the settings file";
        example = role;
        description = "Address (or host name) at which the ${role} part of the stack is reached.";
      }
    );

    listenAddress = mkOption {
      type = types.str;
      default = settingsOnly.stack.bind_host;
      defaultText = lib.literalMD "`[stack].bind_host` of the settings file";
      example = "192.168.1.2";
      description = ''
        Address this machine's internal services (everything but nginx: Odoo, PostgreSQL,
        Redis, the simulator, Prometheus, Grafana, the exporters) listen on: loopback
        unless other machines of the stack (or the VM host, through forwarded ports) must
        reach them, then this machine's address on the stack's private network. Redis also
        listens on 127.0.0.1 (its exporter).
      '';
    };

    publicListenAddress = mkOption {
      type = types.str;
      default = cfg.listenAddress;
      defaultText = lib.literalExpression "config.services.l10n-cr-einvoice-staging.listenAddress";
      example = "0.0.0.0";
      description = "Address nginx (the application, the only part meant to be reached from outside the stack) listens on.";
    };

    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Open the firewall for the parts this machine runs: nginx's port to everyone, every
        other port of the stack only to `allowedNetworks` (the firewall's iptables rules by
        source address).
      '';
    };

    allowedNetworks = mkOption {
      type = types.listOf types.str;
      default = [
        "127.0.0.1/32"
        "::1/128"
      ];
      example = [ "192.168.1.0/24" ];
      description = ''
        The stack's private networks (CIDR): where its machines reach each other and where
        the internal ports (PostgreSQL, Redis, Odoo, the simulator, Prometheus, Grafana, the
        exporters) are open to with `openFirewall`; PostgreSQL accepts the Odoo role's
        password logins from them.
      '';
    };

    domain = mkOption {
      type = types.str;
      default = settingsOnly.nginx.server_name;
      defaultText = lib.literalMD "`[nginx].server_name` of the settings file";
      description = "Server name of the public virtual host (nginx) and Grafana's domain.";
    };

    workers = mkOption {
      type = types.ints.unsigned;
      default = settingsOnly.odoo.options.workers;
      defaultText = lib.literalMD "`[odoo].workers` of the settings file";
      description = "Odoo HTTP worker processes (0 = threaded server, no /websocket).";
    };

    hacienda.environment = mkOption {
      type = types.enum [
        "simulator"
        "sandbox"
        "production"
      ];
      default = settingsOnly.hacienda.environment;
      defaultText = lib.literalMD "`[hacienda].environment` of the settings file";
      description = "Which Hacienda the e-invoicing addon talks to: the local simulator (started on this stack), Hacienda's sandbox, or production.";
    };

    packages = {
      hacienda-cr = mkOption {
        type = types.package;
        default = packages.hacienda-cr;
        defaultText = lib.literalExpression "the flake's packages.hacienda-cr";
        description = "The hacienda_cr library and CLI (runs the simulator).";
      };
      odoo = mkOption {
        type = types.package;
        default = packages.odoo-l10n-cr;
        defaultText = lib.literalExpression "the flake's packages.odoo-l10n-cr";
        description = "Odoo 19 with the addons' Python dependencies.";
      };
      addons = mkOption {
        type = types.package;
        default = packages.l10n-cr-einvoice-addons;
        defaultText = lib.literalExpression "the flake's packages.l10n-cr-einvoice-addons";
        description = "The project's Odoo addons (an addons path).";
      };
      postgresql = mkOption {
        type = types.package;
        default = pkgs.postgresql_15;
        defaultText = lib.literalExpression "pkgs.postgresql_15";
        description = "PostgreSQL: the server on the database machine, psql (the Odoo unit's first start) on the Odoo machine. Also `services.postgresql.package` on every machine of the stack (upstream's Odoo unit reads it even where PostgreSQL does not run).";
      };
      pki = mkOption {
        type = types.package;
        default = packages.hacienda-cr-pki;
        defaultText = lib.literalExpression "the flake's packages.hacienda-cr-pki";
        example = lib.literalExpression ''
          l10n-cr-einvoice.packages.x86_64-linux.hacienda-cr-pki.override {
            extraCertificates."sinpe-persona-juridica-v2-2023.pem" = ./pki/sinpe-persona-juridica-v2-2023.pem;
          }
        '';
        description = ''
          Costa Rica's national PKI certificates (Odoo's `l10n_cr_einvoice_pki_dir`): a supplier's
          signature must chain to them. The default holds those with a published address (the
          national root and the two policy CAs), each pinned by its SHA-256; the SINPE
          intermediates and Hacienda's root have none: add them with `extraCertificates` (each
          checked against its pin), or chains through them fail.
        '';
      };
      schemas = mkOption {
        type = types.package;
        default = packages.hacienda-cr-schemas;
        defaultText = lib.literalExpression "the flake's packages.hacienda-cr-schemas";
        description = "The official XSD sets.";
      };
      stack = mkOption {
        type = types.package;
        default = packages.einvoice-stack;
        defaultText = lib.literalExpression "the flake's einvoice-stack package (stack/pyproject.toml)";
        description = "The staging stack's Python package (`einvoice_stack`, the code `scripts/stack` runs on a plain host), whose code the module runs: the SMTP sink, the Odoo unit's first start, the seed (`einvoice-stack-seed`).";
      };
    };

    secrets = {
      adminPasswordFile = secretOption "Odoo admin password";
      databasePasswordFile = secretOption "PostgreSQL password of the Odoo user";
      haciendaCredentialsFile = secretOption "Hacienda credentials (USER:PASSWORD lines)";
      certificateFile = secretOption "Hacienda signing certificate (PKCS#12)";
      certificatePinFile = secretOption "certificate PIN";
      grafanaAdminPasswordFile = secretOption "Grafana admin password";
      grafanaSecretKeyFile = secretOption "Grafana secret key";
      metricsTokenFile = secretOption "bearer token Prometheus presents to Odoo's /metrics";
      redisPasswordFile = secretOption "Redis password (Odoo's token cache and locks, the Redis exporter)";
      simulatorControlTokenFile = secretOption "bearer token of the Hacienda simulator's control endpoints (/_simulator/*)";
    };

    testPki.directory = mkOption {
      type = secretFile;
      default = "/var/lib/l10n-cr-einvoice-staging/test-pki";
      description = ''
        Staging with the simulator only (`hacienda.environment = "simulator"`): where the stack's
        own test CA and the simulator's sealing key are (einvoice_stack.test_pki: `ca.pem`,
        `ca.key`, `simulator-seal.{p12,pin,pem}`), made at boot when missing on a machine that
        runs Odoo or the simulator. Odoo trusts the CA for the supplier documents of companies on
        the simulator (`l10n_cr_einvoice_simulator_trust_anchors`, besides the national PKI) and
        takes the sealing certificate for Hacienda's (`l10n_cr_einvoice_hacienda_certificates`);
        with Odoo and the simulator on different machines, give both the same files. A sandbox or
        production stack makes and names none of it.
      '';
    };

    seed = {
      command = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = lib.literalExpression ''"''${./scripts/stack-seed} --from-env"'';
        description = ''
          Command that configures the staging company once Odoo is up (test certificate,
          Hacienda credentials, demo data): the stack's seeding script. Run by
          `l10n-cr-einvoice-staging-seed.service` with the environment documented in
          docs/nix.md ("Seeding hook"). `null` leaves the database as Odoo initialised it.
        '';
      };
    };
  };

  config = lib.mkIf cfg.enable {
    services.l10n-cr-einvoice-staging.resolved =
      let
        base = import ../lib/settings.nix {
          inherit lib;
          inherit (cfg) settingsFile resolvedSettingsFile hosts;
        };
      in
      lib.recursiveUpdate base {
        odoo.options = {
          inherit (cfg) workers;
          http_interface = cfg.listenAddress;
          l10n_cr_environment = cfg.hacienda.environment;
        };
        hacienda.environment = cfg.hacienda.environment;
      }
      # what this machine's services listen on (the plain-host stack: bind_host)
      // lib.genAttrs [
        "postgresql"
        "redis"
        "prometheus"
        "grafana"
        "simulator"
      ] (section: lib.recursiveUpdate base.${section} { listen.addr = cfg.listenAddress; })
      // {
        nginx = lib.recursiveUpdate base.nginx { listen.addr = cfg.publicListenAddress; };
      };

    assertions = [
      {
        assertion = lib.any (r: cfg.roles.${r}) roles;
        message = "services.l10n-cr-einvoice-staging.roles: enable at least one part of the stack on this machine";
      }
    ];

    time.timeZone = lib.mkDefault cfg.resolved.stack.timezone;

    # Upstream defines services.postgresql.package only where PostgreSQL is enabled
    # (mkDefault inside mkIf cfg.enable), but its Odoo unit puts it on its PATH: the Odoo
    # machine of a split deployment would not evaluate without it.
    services.postgresql.package = cfg.packages.postgresql;
  };
}
