# Smoke test: every unit of the stack up (SMTP sink included), every port open,
# /web/health through nginx, Prometheus scraping its targets, Grafana answering with the
# provisioned datasource.
{
  pkgs,
  modules,
  resolved,
}:
let
  p = resolved.ports;
  units = [
    "postgresql.target"
    "l10n-cr-einvoice-staging-db-setup.service"
    "redis-l10n-cr-einvoice.service"
    "odoo.service"
    "nginx.service"
    "l10n-cr-einvoice-simulator.service"
    "l10n-cr-einvoice-smtp-sink.service"
    "prometheus.service"
    "grafana.service"
    "prometheus-node-exporter.service"
    "prometheus-postgres-exporter.service"
    "prometheus-redis-exporter.service"
    "prometheus-nginx-exporter.service"
  ];
  ports = map (name: p.${name}) [
    "postgresql"
    "redis"
    "odoo"
    "odoo_gevent"
    "nginx"
    "simulator"
    "smtp_sink"
    "prometheus"
    "grafana"
    "exporter_node"
    "exporter_postgres"
    "exporter_redis"
    "exporter_nginx"
  ];
  jobs = map (j: j.job_name) resolved.prometheus.scrape_configs;
in
pkgs.testers.runNixOSTest {
  name = "l10n-cr-einvoice-staging-smoke";
  # every wait below has its own timeout; together they stay under this (the test driver
  # kills the whole test at the global timeout, before any wait could say what is wrong)
  globalTimeout = 5400;
  nodes.staging = {
    imports = [ (import ./single-node.nix { inherit modules; }) ];
    environment.systemPackages = [
      pkgs.curl
      pkgs.jq
    ];
  };
  testScript = ''
    import json

    start_all()

    with subtest("every unit of the stack is up"):
        # the first start installs the modules: minutes; the rest is up by then
        staging.wait_for_unit("odoo.service", timeout=1800)
        for unit in ${builtins.toJSON units}:
            staging.wait_for_unit(unit, timeout=120)

    with subtest("every port of the stack is open"):
        for port in ${builtins.toJSON ports}:
            staging.wait_for_open_port(port, timeout=60)

    with subtest("Odoo answers /web/health through nginx"):
        staging.wait_until_succeeds(
            "curl -fsS http://127.0.0.1:${toString p.nginx}/web/health | grep -q pass", timeout=300
        )
        staging.succeed("curl -fsS http://127.0.0.1:${toString p.nginx}/health | grep -qx ok")
        headers = staging.succeed("curl -fsSI http://127.0.0.1:${toString p.nginx}/web/login")
        t.assertIn("X-Frame-Options: SAMEORIGIN", headers)
        staging.succeed("test \"$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:${toString p.nginx}/metrics)\" = 404")
        staging.succeed("test \"$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:${toString p.nginx}/web/database/manager)\" = 404")

    with subtest("Prometheus scrapes every job"):
        def all_jobs_up(_last_try: bool) -> bool:
            out = staging.succeed("curl -fsS http://127.0.0.1:${toString p.prometheus}/api/v1/targets")
            targets = json.loads(out)["data"]["activeTargets"]
            up = {tg["labels"]["job"] for tg in targets if tg["health"] == "up"}
            return set(${builtins.toJSON jobs}) <= up
        retry(all_jobs_up, timeout_seconds=300)
        # the nginx exporter reads upstream's status page (127.0.0.1:80/nginx_status)
        staging.succeed("curl -fsS http://127.0.0.1:${toString p.exporter_nginx}/metrics | grep -qx 'nginx_up 1'")

    with subtest("Grafana answers, with the Prometheus datasource provisioned"):
        staging.wait_until_succeeds("curl -fsS http://127.0.0.1:${toString p.grafana}/api/health", timeout=300)
        password = staging.succeed("cat /var/lib/l10n-cr-einvoice-staging/secrets/grafana-admin-password").strip()
        out = staging.succeed(
            f"curl -fsS -u ${resolved.stack.admin_login}:{password} http://127.0.0.1:${toString p.grafana}/api/datasources/uid/prometheus"
        )
        t.assertEqual(json.loads(out)["type"], "prometheus")

    with subtest("no secret is in the Nix store"):
        secret = staging.succeed("cat /var/lib/l10n-cr-einvoice-staging/secrets/db-password").strip()
        staging.fail(f"grep -rqF {secret} /etc/odoo /nix/store/*-odoo.cfg 2>/dev/null")
  '';
}
