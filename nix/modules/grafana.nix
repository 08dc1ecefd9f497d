# Grafana (monitoring part) with the Prometheus datasource, the dashboards of
# stack/grafana/dashboards/*.json and the alert rules of stack/grafana/alerting/*.yaml
# provisioned; admin password and secret key are read from files ($__file{}).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  g = cfg.resolved.grafana;
  repoSource = import ../packages/repo-source.nix {
    inherit lib;
    repoRoot = ../..;
  };
  credential = name: "$__file{/run/credentials/grafana.service/${name}}";
  # the whole directory (Grafana's file provider reads only *.json in it), so the
  # provider path exists before the first dashboard does
  dashboards = repoSource "l10n-cr-einvoice-dashboards" [ g.dashboards_dir ];
  alertRules = repoSource "l10n-cr-einvoice-alert-rules" (map (f: "${g.alerting_dir}/${f}") g.alert_rules);
in
lib.mkIf (cfg.enable && cfg.roles.monitoring) {
  services.grafana = {
    enable = true;
    settings = {
      server = {
        http_addr = g.listen.addr;
        http_port = g.listen.port;
        inherit (cfg) domain;
      };
      security = {
        admin_user = cfg.resolved.stack.admin_login;
        admin_password = credential "admin-password";
        secret_key = credential "secret-key";
        disable_gravatar = true;
      };
      analytics = {
        reporting_enabled = false;
        check_for_updates = false;
      };
      users.allow_sign_up = false;
      "auth.anonymous".enabled = false;
    };
    provision = {
      enable = true;
      datasources.settings = {
        apiVersion = 1;
        datasources = [ g.datasource ];
      };
      dashboards.settings = {
        apiVersion = 1;
        providers = [
          {
            name = "l10n-cr-einvoice";
            type = "file";
            # the dashboards are the repository's: not deleted from Grafana's UI
            disableDeletion = true;
            options.path = "${dashboards}/${g.dashboards_dir}";
            options.foldersFromFilesStructure = false;
          }
        ];
      };
      alerting.rules.path = lib.mkIf (g.alert_rules != [ ]) "${alertRules}/${g.alerting_dir}";
    };
  };
  systemd.services.grafana.serviceConfig.LoadCredential = [
    "admin-password:${cfg.secrets.grafanaAdminPasswordFile}"
    "secret-key:${cfg.secrets.grafanaSecretKeyFile}"
  ];
}
