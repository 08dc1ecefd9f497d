# Stand-in for nixos/modules/services/monitoring/prometheus/default.nix (nixos-unstable,
# the stored copy read for docs/nix.md). Declares the options the project sets, with
# upstream's types (promTypes: every field nullOr, null default); does what upstream does:
#  - prometheus.yml is the JSON of { global, scrape_configs } with null fields and
#    `_module` dropped (filterValidPrometheus), checked by promtool at build time
#    (`--syntax-only` when checkConfig = "syntax-only": files named in it need not exist);
#  - the unit runs prometheus with --config.file, --web.listen-address
#    listenAddress:port, --storage.tsdb.path and --storage.tsdb.retention.time.
# The text is at config.system.build.harness.prometheusYml (tests run Debian's promtool).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  cfg = config.services.prometheus;
  mkOpt =
    type:
    mkOption {
      type = types.nullOr type;
      default = null;
    };
  scrapeConfig = types.submodule {
    options = {
      job_name = mkOption { type = types.strMatching "[a-zA-Z0-9_-]+"; };
      scrape_interval = mkOpt types.str;
      metrics_path = mkOpt types.str;
      authorization = mkOpt (
        types.submodule {
          options = {
            type = mkOpt types.str;
            credentials_file = mkOpt types.str;
          };
        }
      );
      static_configs = mkOpt (
        types.listOf (
          types.submodule {
            options = {
              targets = mkOption { type = types.listOf types.str; };
              labels = mkOption {
                type = types.attrsOf types.str;
                default = { };
              };
            };
          }
        )
      );
    };
  };
  filterValid =
    x:
    if builtins.isAttrs x then
      lib.mapAttrs (_: filterValid) (lib.filterAttrs (n: v: n != "_module" && v != null) x)
    else if builtins.isList x then
      map filterValid x
    else
      x;
  prometheusYml = builtins.toJSON (filterValid {
    global = cfg.globalConfig;
    scrape_configs = cfg.scrapeConfigs;
  });
in
{
  options.services.prometheus = {
    enable = lib.mkEnableOption "Prometheus monitoring daemon";
    package = mkOption {
      type = types.package;
      default = pkgs.prometheus;
    };
    port = mkOption {
      type = types.port;
      default = 9090;
    };
    listenAddress = mkOption {
      type = types.str;
      default = "0.0.0.0";
    };
    checkConfig = mkOption {
      type = with types; either bool (enum [ "syntax-only" ]);
      default = true;
    };
    retentionTime = mkOption {
      type = types.nullOr types.str;
      default = null;
    };
    globalConfig = mkOption {
      type = types.submodule { options.scrape_interval = mkOpt types.str; };
      default = { };
    };
    scrapeConfigs = mkOption {
      type = types.listOf scrapeConfig;
      default = [ ];
    };
  };

  config = lib.mkIf cfg.enable {
    users.users.prometheus = {
      isSystemUser = true;
      group = "prometheus";
    };
    users.groups.prometheus = { };
    system.build.harness.prometheusYml = prometheusYml;
    systemd.services.prometheus = {
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      serviceConfig = {
        ExecStart = lib.concatStringsSep " " (
          [
            "${cfg.package}/bin/prometheus"
            "--config.file=${pkgs.writeText "prometheus.yml" prometheusYml}"
            "--web.listen-address=${cfg.listenAddress}:${toString cfg.port}"
            "--storage.tsdb.path=/var/lib/prometheus2/data/"
          ]
          ++ lib.optional (cfg.retentionTime != null) "--storage.tsdb.retention.time=${cfg.retentionTime}"
        );
        User = "prometheus";
        Restart = "always";
        StateDirectory = "prometheus2";
      };
    };
  };
}
