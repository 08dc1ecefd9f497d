# Monitoring: Prometheus (monitoring part) with the scrape jobs of
# [[prometheus.scrape]], and the exporters next to what they watch (node on every
# machine, postgres/redis/nginx with their parts), on `listenAddress`; the firewall opens
# them to the stack's private networks only (firewall.nix). Odoo's /metrics wants a bearer
# token: Prometheus reads it from its credentials directory.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.l10n-cr-einvoice-staging;
  r = cfg.resolved;
  p = r.prometheus;
  tokenPath = "/run/credentials/prometheus.service/metrics-token";
  scrapeConfig =
    job:
    {
      inherit (job)
        job_name
        scrape_interval
        metrics_path
        ;
      # every series labelled with the stack's name, as scripts/stack's prometheus.yml
      static_configs = map (sc: sc // { labels.stack = r.stack.name; }) job.static_configs;
    }
    // lib.optionalAttrs (job.bearer_token_secret != null) {
      authorization = {
        type = "Bearer";
        credentials_file = tokenPath;
      };
    };
  redisExporter = config.services.prometheus.exporters.redis;
  # Redis has a password: the exporter reads it from REDIS_PASSWORD (never its command
  # line), set here from the unit's credential. Upstream's ExecStart, otherwise unchanged.
  redisExporterStart = pkgs.writeShellScript "redis-exporter-start" ''
    REDIS_PASSWORD="$(cat "$CREDENTIALS_DIRECTORY/redis-password")"
    export REDIS_PASSWORD
    exec ${pkgs.prometheus-redis-exporter}/bin/redis_exporter \
      -web.listen-address ${redisExporter.listenAddress}:${toString redisExporter.port} \
      ${lib.escapeShellArgs redisExporter.extraFlags}
  '';
in
lib.mkIf cfg.enable (
  lib.mkMerge [
    {
      services.prometheus.exporters.node = {
        enable = true;
        port = r.ports.exporter_node;
        listenAddress = cfg.listenAddress;
      };
    }
    (lib.mkIf cfg.roles.database {
      services.prometheus.exporters.postgres = {
        enable = true;
        port = r.ports.exporter_postgres;
        listenAddress = cfg.listenAddress;
        runAsLocalSuperUser = true;
        dataSourceName = "user=postgres database=postgres host=/run/postgresql port=${toString r.postgresql.listen.port} sslmode=disable";
      };
    })
    (lib.mkIf cfg.roles.redis {
      services.prometheus.exporters.redis = {
        enable = true;
        port = r.ports.exporter_redis;
        listenAddress = cfg.listenAddress;
        extraFlags = [ "-redis.addr=redis://127.0.0.1:${toString r.redis.listen.port}" ];
      };
      systemd.services.prometheus-redis-exporter.serviceConfig = {
        ExecStart = lib.mkForce redisExporterStart;
        LoadCredential = [ "redis-password:${cfg.secrets.redisPasswordFile}" ];
      };
    })
    (lib.mkIf cfg.roles.proxy {
      services.prometheus.exporters.nginx = {
        enable = true;
        port = r.ports.exporter_nginx;
        listenAddress = cfg.listenAddress;
        # upstream's status page (nginx.nix): a vhost on 127.0.0.1:80
        scrapeUri = "http://127.0.0.1/nginx_status";
      };
    })
    (lib.mkIf cfg.roles.monitoring {
      services.prometheus = {
        enable = true;
        port = p.listen.port;
        listenAddress = cfg.listenAddress;
        retentionTime = p.retention;
        globalConfig.scrape_interval = p.global.scrape_interval;
        scrapeConfigs = map scrapeConfig p.scrape_configs;
        # the token file exists only at run time; promtool checks syntax at build time
        checkConfig = "syntax-only";
      };
      systemd.services.prometheus.serviceConfig.LoadCredential = [
        "metrics-token:${cfg.secrets.metricsTokenFile}"
      ];
    })
  ]
)
