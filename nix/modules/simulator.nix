# The local Hacienda (hacienda-cr simulator): token + reception API and /metrics on
# [ports].simulator, state in SQLite, users from the Hacienda credentials file, control
# endpoints (/_simulator/*) behind a bearer token (secrets.simulatorControlTokenFile), answers
# sealed with the key of the stack's test PKI (testPki.directory).
# Runs when the stack talks to the simulator ([hacienda].environment = "simulator").
{
  config,
  lib,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  sim = cfg.resolved.simulator;
  stateDir = "l10n-cr-einvoice-simulator";
in
lib.mkIf (cfg.enable && cfg.roles.simulator && cfg.hacienda.environment == "simulator") {
  systemd.services.l10n-cr-einvoice-simulator = {
    description = "Hacienda simulator for the l10n-cr-einvoice staging stack";
    wantedBy = [ "multi-user.target" ];
    # its sealing key comes from the stack's test PKI (test-pki.nix)
    after = [
      "network.target"
      "l10n-cr-einvoice-staging-test-pki.service"
    ];
    requires = [ "l10n-cr-einvoice-staging-test-pki.service" ];
    environment.HACIENDA_XSD_DIR = "${cfg.packages.schemas}";
    serviceConfig = (import ./hardening.nix) // {
      ExecStart = lib.concatStringsSep " " [
        (lib.getExe cfg.packages.hacienda-cr)
        "simulator"
        "--host ${cfg.listenAddress}"
        "--port ${toString sim.listen.port}"
        "--db /var/lib/${stateDir}/sim.sqlite"
        # %d = this unit's credentials directory
        "--users-file %d/hacienda-credentials"
        "--processing-delay ${toString sim.processing_delay}"
        "--xsd-dir ${cfg.packages.schemas}"
        # /_simulator/* (faults, stats) answers only this bearer token
        "--control-token-file %d/control-token"
        "--access-log"
        # the key Odoo knows as Hacienda's (l10n_cr_einvoice_hacienda_certificates)
        "--signing-p12 %d/seal.p12"
        "--signing-pin-file %d/seal.pin"
      ];
      DynamicUser = true;
      StateDirectory = stateDir;
      LoadCredential = [
        "hacienda-credentials:${cfg.secrets.haciendaCredentialsFile}"
        "control-token:${cfg.secrets.simulatorControlTokenFile}"
        "seal.p12:${cfg.testPki.directory}/${cfg.resolved.test_pki.files.seal_p12}"
        "seal.pin:${cfg.testPki.directory}/${cfg.resolved.test_pki.files.seal_pin}"
      ];
      Restart = "on-failure";
      MemoryDenyWriteExecute = true;
    };
  };
}
