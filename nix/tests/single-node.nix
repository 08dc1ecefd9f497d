# The whole stack on one test VM, secrets generated at boot (none in the store).
{ modules }:
{ lib, ... }:
let
  secretsDir = "/var/lib/l10n-cr-einvoice-staging/secrets";
in
{
  imports = [ modules ];
  services.l10n-cr-einvoice-staging = {
    enable = true;
    secrets = {
      generate = true;
      adminPasswordFile = "${secretsDir}/odoo-admin-password";
      databasePasswordFile = "${secretsDir}/db-password";
      haciendaCredentialsFile = "${secretsDir}/hacienda-credentials";
      certificateFile = "${secretsDir}/certificate.p12";
      certificatePinFile = "${secretsDir}/certificate-pin";
      grafanaAdminPasswordFile = "${secretsDir}/grafana-admin-password";
      grafanaSecretKeyFile = "${secretsDir}/grafana-secret-key";
      metricsTokenFile = "${secretsDir}/metrics-token";
      redisPasswordFile = "${secretsDir}/redis-password";
      simulatorControlTokenFile = "${secretsDir}/simulator-control-token";
    };
  };
  virtualisation = {
    memorySize = 4096;
    cores = 2;
    diskSize = 8192;
  };
}
