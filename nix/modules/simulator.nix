# The local Hacienda (hacienda-cr simulator): token + reception API and /metrics on
# [ports].simulator, state in SQLite, users from the Hacienda credentials file, control
# endpoints (/_simulator/*) behind a bearer token (secrets.simulatorControlTokenFile).
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
    after = [ "network.target" ];
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
      ];
      DynamicUser = true;
      StateDirectory = stateDir;
      LoadCredential = [
        "hacienda-credentials:${cfg.secrets.haciendaCredentialsFile}"
        "control-token:${cfg.secrets.simulatorControlTokenFile}"
      ];
      Restart = "on-failure";
      MemoryDenyWriteExecute = true;
    };
  };
}
