# Mirrors nixos/modules/services/monitoring/prometheus/default.nix (nixos-unstable,
# early 2026): top-level options and the promTypes used (globalConfig, scrape_config
# with static_configs and authorization), all nullOr with null defaults as upstream.
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
    type: description:
    mkOption {
      type = types.nullOr type;
      default = null;
      inherit description;
    };

  globalConfig = types.submodule {
    options = {
      scrape_interval = mkOpt types.str "How frequently to scrape targets by default.";
      scrape_timeout = mkOpt types.str "How long until a scrape request times out.";
      evaluation_interval = mkOpt types.str "How frequently to evaluate rules by default.";
      external_labels = mkOpt (types.attrsOf types.str) "Labels added to external communication.";
    };
  };
  staticConfig = types.submodule {
    options = {
      targets = mkOption { type = types.listOf types.str; };
      labels = mkOption {
        type = types.attrsOf types.str;
        default = { };
      };
    };
  };
  scrapeConfig = types.submodule {
    options = {
      job_name = mkOption { type = types.strMatching "[a-zA-Z0-9_-]+"; };
      honor_labels = mkOpt types.bool "Whether scraped labels win over server labels.";
      scrape_interval = mkOpt types.str "How frequently to scrape targets from this job.";
      scrape_timeout = mkOpt types.str "Per-scrape timeout.";
      metrics_path = mkOpt types.str "The HTTP resource path to fetch metrics from.";
      scheme = mkOpt (types.enum [
        "http"
        "https"
      ]) "The URL scheme.";
      params = mkOpt (types.attrsOf (types.listOf types.str)) "URL parameters.";
      authorization = mkOpt (types.submodule {
        options = {
          type = mkOption {
            type = types.nullOr types.str;
            default = "Bearer";
          };
          credentials = mkOpt types.str "Credentials (mutually exclusive with credentials_file).";
          credentials_file = mkOpt types.str "File holding the credentials.";
        };
      }) "Optional `Authorization` header configuration.";
      static_configs = mkOpt (types.listOf staticConfig) "Statically configured targets.";
      relabel_configs = mkOpt (types.listOf (types.attrsOf types.anything)) "Relabelling.";
    };
  };
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
    stateDir = mkOption {
      type = types.str;
      default = "prometheus2";
    };
    extraFlags = mkOption {
      type = types.listOf types.str;
      default = [ ];
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
      type = globalConfig;
      default = { };
    };
    scrapeConfigs = mkOption {
      type = types.listOf scrapeConfig;
      default = [ ];
    };
    ruleFiles = mkOption {
      type = types.listOf types.path;
      default = [ ];
    };
    rules = mkOption {
      type = types.listOf types.str;
      default = [ ];
    };
    webExternalUrl = mkOption {
      type = types.nullOr types.str;
      default = null;
    };
  };

  config = lib.mkIf cfg.enable {
    users.users.prometheus = {
      isSystemUser = true;
      group = "prometheus";
    };
    users.groups.prometheus = { };
    systemd.services.prometheus = {
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      serviceConfig = {
        ExecStart = "${cfg.package}/bin/prometheus --web.listen-address=${cfg.listenAddress}:${toString cfg.port}";
        User = "prometheus";
        Restart = "always";
        StateDirectory = cfg.stateDir;
      };
    };
  };
}
