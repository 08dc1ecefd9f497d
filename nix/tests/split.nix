# The stack split over three machines as production would run it:
#   proxy: nginx + Prometheus + Grafana   app: Odoo (+ simulator, SMTP sink)
#   db: PostgreSQL + Redis
# and a fourth machine outside the stack's private network (visitor), which reaches nginx
# and nothing else. The test network numbers the machines in name order
# (nixos/lib/testing/network.nix): app .1, db .2, proxy .3, visitor .4 -- the stack's
# private network is 192.168.1.0/30. Secrets here are fixed test values in /etc (this test
# only): the three machines must share them, and the test has no secret manager.
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
    "redis-password" = "split-test-redis-password";
    "simulator-control-token" = "split-test-simulator-control-token";
  };
  dir = "/etc/l10n-cr-einvoice-test-secrets";
  # every port of the stack but nginx's, on the machine that has it
  closedFromOutside =
    map (port: [ "app" p.${port} ]) [ "odoo" "odoo_gevent" "simulator" "smtp_sink" "exporter_node" ]
    ++ map (port: [ "db" p.${port} ]) [ "postgresql" "redis" "exporter_postgres" "exporter_redis" ]
    ++ map (port: [ "proxy" p.${port} ]) [ "prometheus" "grafana" "exporter_nginx" ];
  machine =
    roles:
    { config, lib, ... }:
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
        # internal services on this machine's address of the private network only
        listenAddress = config.networking.primaryIPAddress;
        publicListenAddress = "0.0.0.0";
        openFirewall = true;
        allowedNetworks = [ "192.168.1.0/30" ];
        secrets = {
          adminPasswordFile = "${dir}/odoo-admin-password";
          databasePasswordFile = "${dir}/db-password";
          haciendaCredentialsFile = "${dir}/hacienda-credentials";
          certificateFile = "${dir}/certificate.p12";
          certificatePinFile = "${dir}/certificate-pin";
          grafanaAdminPasswordFile = "${dir}/grafana-admin-password";
          grafanaSecretKeyFile = "${dir}/grafana-secret-key";
          metricsTokenFile = "${dir}/metrics-token";
          redisPasswordFile = "${dir}/redis-password";
          simulatorControlTokenFile = "${dir}/simulator-control-token";
        };
      };
      virtualisation.memorySize = 2048;
    };
in
pkgs.testers.runNixOSTest {
  name = "l10n-cr-einvoice-staging-split";
  # every wait below has its own timeout; together they stay under this (the test driver
  # kills the whole test at the global timeout, before any wait could say what is wrong)
  globalTimeout = 5400;
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
    visitor = {
      environment.systemPackages = [
        pkgs.curl
        pkgs.netcat
      ];
      virtualisation.memorySize = 512;
    };
  };
  testScript = ''
    import json

    start_all()

    with subtest("each machine runs its part"):
        db.wait_for_unit("postgresql.target", timeout=300)
        db.wait_for_unit("l10n-cr-einvoice-staging-db-setup.service", timeout=300)
        db.wait_for_unit("redis-l10n-cr-einvoice.service", timeout=300)
        # the first start installs the modules; it waits for PostgreSQL on db
        app.wait_for_unit("odoo.service", timeout=1800)
        app.wait_for_unit("l10n-cr-einvoice-simulator.service", timeout=120)
        app.wait_for_unit("l10n-cr-einvoice-smtp-sink.service", timeout=120)
        proxy.wait_for_unit("nginx.service", timeout=120)
        proxy.wait_for_unit("prometheus.service", timeout=120)
        proxy.wait_for_unit("grafana.service", timeout=120)
        app.fail("systemctl is-active postgresql.service")

    with subtest("Odoo reaches PostgreSQL and Redis on db; Redis wants its password"):
        app.wait_for_open_port(${toString p.odoo}, addr="app", timeout=60)
        db.succeed("nc -z -w 5 app ${toString p.odoo}")
        app.succeed("nc -z -w 5 db ${toString p.postgresql}")
        app.succeed("printf 'PING\\r\\n' | nc -w 5 db ${toString p.redis} | grep -q NOAUTH")
        # Odoo's smtp_server is the app machine's name: the sink answers there
        app.wait_for_open_port(${toString p.smtp_sink}, addr="app", timeout=60)

    with subtest("the proxy serves Odoo from app"):
        proxy.wait_until_succeeds(
            "curl -fsS http://127.0.0.1:${toString p.nginx}/web/health | grep -q pass", timeout=300
        )

    with subtest("Prometheus on proxy scrapes all three machines"):
        def jobs_up(_last_try: bool) -> bool:
            out = proxy.succeed("curl -fsS http://proxy:${toString p.prometheus}/api/v1/targets")
            targets = json.loads(out)["data"]["activeTargets"]
            down = [tg["scrapeUrl"] for tg in targets if tg["health"] != "up"]
            return targets != [] and down == []
        retry(jobs_up, timeout_seconds=300)

    with subtest("from outside the stack's network only nginx answers"):
        visitor.wait_for_unit("multi-user.target", timeout=300)
        visitor.succeed("curl -fsS http://proxy:${toString p.nginx}/health | grep -qx ok")
        for host, port in ${builtins.toJSON closedFromOutside}:
            visitor.fail(f"nc -z -w 3 {host} {port}")
  '';
}
