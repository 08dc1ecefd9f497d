# Secrets are files named by services.l10n-cr-einvoice-staging.secrets.*, read at run
# time (systemd LoadCredential=, Grafana's $__file{}), never in the Nix store. For a
# throw-away staging machine or VM, `secrets.generate` creates the missing ones at boot
# (random passwords/tokens; the certificate is left to the seeding hook).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  s = cfg.secrets;
  random = "${pkgs.openssl}/bin/openssl rand -hex 24";
  generated = [
    {
      file = s.adminPasswordFile;
      value = random;
    }
    {
      file = s.databasePasswordFile;
      value = random;
    }
    {
      file = s.grafanaAdminPasswordFile;
      value = random;
    }
    {
      file = s.grafanaSecretKeyFile;
      value = random;
    }
    {
      file = s.metricsTokenFile;
      value = random;
    }
    {
      file = s.certificatePinFile;
      value = "${pkgs.openssl}/bin/openssl rand -hex 4";
    }
    {
      file = s.haciendaCredentialsFile;
      value = "echo ${lib.escapeShellArg cfg.resolved.simulator.user}:$(${random})";
    }
  ];
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
      before = [
        "postgresql.service"
        "odoo.service"
        "grafana.service"
        "prometheus.service"
        "l10n-cr-einvoice-simulator.service"
      ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        UMask = "0077";
      };
      script = lib.concatMapStrings (g: ''
        if [ ! -s ${lib.escapeShellArg g.file} ]; then
          install -d -m 0700 "$(dirname ${lib.escapeShellArg g.file})"
          ${g.value} > ${lib.escapeShellArg g.file}.new
          chmod 0400 ${lib.escapeShellArg g.file}.new
          mv ${lib.escapeShellArg g.file}.new ${lib.escapeShellArg g.file}
        fi
      '') generated;
    };
  };
}
