# The stack split over three machines as production would run it:
#   proxy: nginx + Prometheus + Grafana   app: Odoo (+ simulator, SMTP sink)
#   db: PostgreSQL + Redis
# Secrets here are fixed test values in /etc (this test only): the three machines must
# share them, and the test has no secret manager.
{
  pkgs,
  modules,
  resolved,
}:
let
  p = resolved.ports;
  hosts = {
    proxy = "proxy";
    monitoring = "proxy";
    odoo = "app";
    simulator = "app";
    database = "db";
    redis = "db";
  };
  testSecrets = {
    "odoo-admin-password" = "split-test-admin";
    "db-password" = "split-test-db";
    "hacienda-credentials" = "${resolved.simulator.user}:split-test-hacienda";
    "certificate-pin" = "split-test-certificate-pin-of-forty-eight-chars";
    "grafana-admin-password" = "split-test-grafana";
    "grafana-secret-key" = "split-test-grafana-key";
    "metrics-token" = "split-test-metrics-token";
  };
  dir = "/etc/l10n-cr-einvoice-test-secrets";
  machine =
    roles:
    { lib, ... }:
    {
      imports = [ modules ];
      environment.systemPackages = [
        pkgs.curl
        pkgs.netcat
      ];
      environment.etc = lib.mapAttrs' (
        name: text: lib.nameValuePair "l10n-cr-einvoice-test-secrets/${name}" { inherit text; }
      ) testSecrets;
      services.l10n-cr-einvoice-staging = {
        enable = true;
        roles = {
          proxy = false;
          odoo = false;
          database = false;
          redis = false;
          monitoring = false;
          simulator = false;
        }
        // lib.genAttrs roles (_: true);
        inherit hosts;
        listenAddress = "0.0.0.0";
        openFirewall = true;
        allowedNetworks = [ "192.168.1.0/24" ];
        secrets = {
          adminPasswordFile = "${dir}/odoo-admin-password";
          databasePasswordFile = "${dir}/db-password";
          haciendaCredentialsFile = "${dir}/hacienda-credentials";
          certificateFile = "${dir}/certificate.p12";
          certificatePinFile = "${dir}/certificate-pin";
          grafanaAdminPasswordFile = "${dir}/grafana-admin-password";
          grafanaSecretKeyFile = "${dir}/grafana-secret-key";
          metricsTokenFile = "${dir}/metrics-token";
        };
      };
      virtualisation.memorySize = 2048;
    };
in
pkgs.testers.runNixOSTest {
  name = "l10n-cr-einvoice-staging-split";
  nodes = {
    proxy = machine [
      "proxy"
      "monitoring"
    ];
    app = {
      imports = [
        (machine [
          "odoo"
          "simulator"
        ])
      ];
      virtualisation.memorySize = 4096;
    };
    db = machine [
      "database"
      "redis"
    ];
  };
  testScript = ''
    import json

    start_all()

    with subtest("each machine runs its part"):
        db.wait_for_unit("postgresql.target")
        db.wait_for_unit("l10n-cr-einvoice-staging-db-setup.service")
        db.wait_for_unit("redis-l10n-cr-einvoice.service")
        app.wait_for_unit("odoo.service", timeout=1800)
        app.wait_for_unit("l10n-cr-einvoice-simulator.service")
        app.wait_for_unit("l10n-cr-einvoice-smtp-sink.service")
        proxy.wait_for_unit("nginx.service")
        proxy.wait_for_unit("prometheus.service")
        proxy.wait_for_unit("grafana.service")
        app.fail("systemctl is-active postgresql.service")

    with subtest("Odoo reaches PostgreSQL and Redis on db"):
        app.wait_for_open_port(${toString p.odoo}, addr="app")
        db.succeed("nc -z app ${toString p.odoo}")
        app.succeed("nc -z db ${toString p.postgresql}")
        app.succeed("nc -z db ${toString p.redis}")
        # Odoo's smtp_server is the app machine's name: the sink answers there
        app.wait_for_open_port(${toString p.smtp_sink}, addr="app")

    with subtest("the proxy serves Odoo from app"):
        proxy.wait_until_succeeds(
            "curl -fsS http://127.0.0.1:${toString p.nginx}/web/health | grep -q pass", timeout=300
        )

    with subtest("Prometheus on proxy scrapes all three machines"):
        def jobs_up(_last_try: bool) -> bool:
            out = proxy.succeed("curl -fsS http://127.0.0.1:${toString p.prometheus}/api/v1/targets")
            targets = json.loads(out)["data"]["activeTargets"]
            down = [tg["scrapeUrl"] for tg in targets if tg["health"] != "up"]
            return targets != [] and down == []
        retry(jobs_up, timeout_seconds=300)
  '';
}
