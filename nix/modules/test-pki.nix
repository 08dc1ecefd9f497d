# Staging with the simulator: the stack's own test CA and the simulator's sealing key, made at
# boot where missing in `testPki.directory` by einvoice_stack.test_pki (what scripts/stack up
# makes in STACK_HOME/test-pki), before the units that read them: the simulator (its key),
# Odoo (the CA's and the seal's certificates, as credentials) and the seed (the company's
# certificate is issued by the CA). Nothing of it exists with Hacienda's sandbox or production.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  python = pkgs.python3.withPackages (_: [ cfg.packages.stack ]);
in
lib.mkIf
  (cfg.enable && cfg.hacienda.environment == "simulator" && (cfg.roles.odoo || cfg.roles.simulator))
  {
    systemd.services.l10n-cr-einvoice-staging-test-pki = {
      description = "Make the l10n-cr-einvoice staging test CA and the simulator's sealing key";
      wantedBy = [ "multi-user.target" ];
      before = [
        "odoo.service"
        "l10n-cr-einvoice-simulator.service"
        "l10n-cr-einvoice-staging-seed.service"
      ];
      # like the secrets unit: root, files of its own only (the directory 0700, keys 0600)
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        UMask = "0077";
      };
      script = ''
        ${python}/bin/python3 -m einvoice_stack.test_pki \
          --dir ${lib.escapeShellArg cfg.testPki.directory} \
          --hacienda-cr ${lib.getExe cfg.packages.hacienda-cr}
      '';
    };
  }
