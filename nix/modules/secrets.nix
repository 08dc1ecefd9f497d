# Secrets are files named by services.l10n-cr-einvoice-staging.secrets.*, read at run
# time (systemd LoadCredential=, Grafana's $__file{}, Redis' root ExecStartPre), never in
# the Nix store. For a throw-away staging machine or VM, `secrets.generate` creates the
# missing ones at boot with einvoice_stack.secrets_store, the values scripts/stack makes
# (the certificate is left to the seeding hook).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  s = cfg.secrets;
  # the secret kinds of einvoice_stack.secrets_store (the values scripts/stack generates)
  generated = {
    odoo-admin-password = s.adminPasswordFile;
    odoo-db-password = s.databasePasswordFile;
    grafana-admin-password = s.grafanaAdminPasswordFile;
    grafana-secret-key = s.grafanaSecretKeyFile;
    metrics-token = s.metricsTokenFile;
    certificate-pin = s.certificatePinFile;
    hacienda-credentials = s.haciendaCredentialsFile;
    redis-password = s.redisPasswordFile;
    simulator-control-token = s.simulatorControlTokenFile;
  };
  python = pkgs.python3.withPackages (_: [ cfg.packages.stack ]);
  # with the simulator, the demo supplier's account is the credentials' second line
  supplierUser = lib.optionalString (cfg.hacienda.environment == "simulator")
    "--supplier-user ${lib.escapeShellArg cfg.resolved.hacienda.demo_supplier.simulator_user}";
in
{
  options.services.l10n-cr-einvoice-staging.secrets.generate = lib.mkOption {
    type = lib.types.bool;
    default = false;
    description = ''
      Create every missing secret file at boot (before any service reads one) with a
      random value, mode 0400, root-owned. For staging machines and VMs only; production
      secrets come from a secret manager (sops-nix, agenix, ...) at the same paths.
    '';
  };

  config = lib.mkIf (cfg.enable && s.generate) {
    systemd.services.l10n-cr-einvoice-staging-secrets = {
      description = "Generate missing l10n-cr-einvoice staging secrets";
      wantedBy = [ "multi-user.target" ];
      # every unit that reads one of them
      before = [
        "postgresql.service"
        "l10n-cr-einvoice-staging-db-setup.service"
        "redis-l10n-cr-einvoice.service"
        "odoo.service"
        "grafana.service"
        "prometheus.service"
        "prometheus-redis-exporter.service"
        "l10n-cr-einvoice-simulator.service"
        "l10n-cr-einvoice-staging-seed.service"
      ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        UMask = "0077";
      };
      script = lib.concatStrings (
        lib.mapAttrsToList (kind: file: ''
          ${python}/bin/python3 -m einvoice_stack.secrets_store --kind ${kind} \
            --file ${lib.escapeShellArg file} \
            --simulator-user ${lib.escapeShellArg cfg.resolved.simulator.user} ${supplierUser}
        '') generated
      );
    };
  };
}
