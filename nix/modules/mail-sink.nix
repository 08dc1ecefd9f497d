# The stack's SMTP sink on the Odoo machine: every message Odoo sends is stored in a
# Maildir instead of being delivered, so staging never e-mails a real customer and the
# stack tests read what was sent. The plain-host stack's own sink
# (einvoice_stack.smtp_sink, from the stack's package), on
# [ports].smtp_sink; Odoo's smtp_server/smtp_port point at it (resolved settings).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  stateDir = "l10n-cr-einvoice-mail";
  python = pkgs.python3.withPackages (_: [ cfg.packages.stack ] ++ cfg.packages.stack.optional-dependencies.smtp-sink);
in
{
  options.services.l10n-cr-einvoice-staging.mailSink = {
    enable = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = ''
        Run the SMTP sink on the Odoo machine and send Odoo's mail to it (as the
        plain-host stack does). Turn it off to deliver mail: then set
        `services.odoo.settings.options.smtp_server` (and `smtp_port`, `smtp_ssl`,
        credentials) for your relay.
      '';
    };
    maildir = lib.mkOption {
      type = lib.types.str;
      default = "/var/lib/${stateDir}";
      readOnly = true;
      description = "The Maildir the SMTP sink stores every message in (`new/`, `cur/`, `tmp/`).";
    };
  };

  config = lib.mkIf (cfg.enable && cfg.roles.odoo && cfg.mailSink.enable) {
    systemd.services.l10n-cr-einvoice-smtp-sink = {
      description = "SMTP sink of the l10n-cr-einvoice staging stack";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      before = [ "odoo.service" ];
      serviceConfig = (import ./hardening.nix) // {
        ExecStart = lib.concatStringsSep " " [
          "${python}/bin/python3 -m einvoice_stack.smtp_sink"
          "--host ${cfg.listenAddress}"
          "--port ${toString cfg.resolved.ports.smtp_sink}"
          "--maildir ${cfg.mailSink.maildir}"
        ];
        DynamicUser = true;
        StateDirectory = stateDir;
        Restart = "on-failure";
        MemoryDenyWriteExecute = true;
      };
    };
  };
}
