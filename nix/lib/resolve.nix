# The staging stack's settings, resolved: the Nix twin of stack/stackconf.py.
#
# Both turn stack/settings.toml into the same structure (the parity test in tests/nix
# compares `nix eval --json` of this with `python3 stack/stackconf.py --json`), and the
# NixOS modules configure the upstream services from it. Change the rules in both files.
{
  lib,
  # the settings file (stack/settings.toml)
  settingsFile ? ../../stack/settings.toml,
  # the repository root: dashboards_dir / alerting_dir are relative to it
  repoRoot ? ../..,
  # role -> address, overriding [stack].bind_host (the split test maps roles to nodes)
  hosts ? { },
}:
let
  raw = builtins.fromTOML (builtins.readFile settingsFile);
  fail = msg: throw "${toString settingsFile}: ${msg}";

  kindName =
    kind:
    {
      string = "a string";
      int = "an integer";
      bool = "true or false";
      list = "a list";
      set = "a table";
      number = "a number";
    }
    .${kind};
  isKind =
    kind: v:
    if kind == "number" then
      builtins.isInt v || builtins.isFloat v
    else
      builtins.typeOf v == kind;
  get =
    table: key: kind: where:
    if !(table ? ${key}) then
      fail "${where}.${key} is missing"
    else if !(isKind kind table.${key}) then
      fail "${where}.${key} must be ${kindName kind}, got ${builtins.toJSON table.${key}}"
    else
      table.${key};
  table = t: key: get t key "set" "settings";

  projectAddonPrefix = "l10n_cr_einvoice";
  roles = [
    "proxy"
    "odoo"
    "database"
    "redis"
    "monitoring"
    "simulator"
  ];
  portRole = {
    odoo = "odoo";
    odoo_gevent = "odoo";
    postgresql = "database";
    redis = "redis";
    nginx = "proxy";
    prometheus = "monitoring";
    grafana = "monitoring";
    simulator = "simulator";
    smtp_sink = "odoo";
    exporter_postgres = "database";
    exporter_redis = "redis";
    exporter_nginx = "proxy";
  };
  everyHostPorts = [ "exporter_node" ];
  requiredPorts = [
    "odoo"
    "odoo_gevent"
    "postgresql"
    "redis"
    "nginx"
    "prometheus"
    "grafana"
    "simulator"
    "smtp_sink"
  ];
  locationMatches = {
    prefix = "";
    exact = "= ";
    regex = "~ ";
  };
  locationActions = [
    "proxy"
    "websocket"
    "static"
    "health"
    "deny"
  ];
  upstreamPorts = {
    odoo = "odoo";
    odoo_gevent = "odoo_gevent";
  };
  haciendaEnvironments = [
    "simulator"
    "sandbox"
    "production"
  ];
  odooPassthrough = {
    workers = "int";
    max_cron_threads = "int";
    proxy_mode = "bool";
    list_db = "bool";
    dbfilter = "string";
    limit_time_cpu = "int";
    limit_time_real = "int";
    limit_memory_soft = "int";
    limit_memory_hard = "int";
    log_level = "string";
  };
  # stackconf.py STAGING_ODOO_OPTIONS: no demo records, mail to the stack's SMTP sink
  stagingOdooOptions = {
    with_demo = false;
    smtp_ssl = false;
    email_from = "noreply@empresa-demo.test";
  };

  urlHost = h: if lib.hasInfix ":" h then "[${h}]" else h;
  addr = h: port: "${urlHost h}:${toString port}";
  enumerate = list: lib.imap0 (index: value: { inherit index value; }) list;
  duplicates = list: lib.unique (lib.filter (x: lib.count (y: y == x) list > 1) list);

  stack = table raw "stack";

  ports =
    let
      p = table raw "ports";
      checked = map (name: get p name "int" "ports") requiredPorts;
      bad = lib.filter (
        name: !(builtins.isInt p.${name}) || p.${name} < 1 || p.${name} > 65535
      ) (builtins.attrNames p);
      byValue = lib.groupBy (name: toString p.${name}) (builtins.attrNames p);
      clashes = lib.filter (names: builtins.length names > 1) (builtins.attrValues byValue);
    in
    builtins.deepSeq checked (
      if bad != [ ] then
        fail "ports.${builtins.head bad} must be a TCP port (1-65535), got ${builtins.toJSON p.${builtins.head bad}}"
      else if clashes != [ ] then
        fail "ports ${lib.concatStringsSep " and " (builtins.head clashes)} share one port"
      else
        p
    );

  bindHost = get stack "bind_host" "string" "stack";
  resolvedHosts =
    let
      unknown = lib.subtractLists roles (builtins.attrNames hosts);
    in
    if unknown != [ ] then
      throw "unknown stack role ${builtins.head unknown} (known: ${lib.concatStringsSep ", " roles})"
    else
      lib.genAttrs roles (role: hosts.${role} or bindHost);

  portHosts =
    portKey:
    if builtins.elem portKey everyHostPorts then
      lib.unique (map (role: resolvedHosts.${role}) roles)
    else if portRole ? ${portKey} then
      [ resolvedHosts.${portRole.${portKey}} ]
    else
      fail "no stack role serves ports.${portKey}";

  redisRaw = table raw "redis";
  redis = {
    listen = {
      addr = resolvedHosts.redis;
      port = ports.redis;
    };
    maxmemory = get redisRaw "maxmemory" "string" "redis";
    maxmemory_policy = get redisRaw "maxmemory_policy" "string" "redis";
    key_prefix = get redisRaw "key_prefix" "string" "redis";
    url = "redis://${addr resolvedHosts.redis ports.redis}/0";
  };

  haciendaRaw = table raw "hacienda";
  environment = get haciendaRaw "environment" "string" "hacienda";
  hacienda =
    if !(builtins.elem environment haciendaEnvironments) then
      fail "hacienda.environment must be one of ${lib.concatStringsSep ", " haciendaEnvironments}, got ${builtins.toJSON environment}"
    else
      {
        inherit environment;
        schema_set = get haciendaRaw "schema_set" "string" "hacienda";
        emitter_id_type = get haciendaRaw "emitter_id_type" "string" "hacienda";
        emitter_id = get haciendaRaw "emitter_id" "string" "hacienda";
        emitter_name = get haciendaRaw "emitter_name" "string" "hacienda";
      };
  simulator = {
    listen = {
      addr = resolvedHosts.simulator;
      port = ports.simulator;
    };
    url = "http://${addr resolvedHosts.simulator ports.simulator}";
    user = get haciendaRaw "simulator_user" "string" "hacienda";
    # TOML may say 1 or 1.0; both deployments agree on a float
    processing_delay =
      let
        d = get haciendaRaw "simulator_processing_delay" "number" "hacienda";
      in
      if builtins.isInt d then d + 0.0 else d;
  };

  odooRaw = table raw "odoo";
  modules =
    let
      m = get odooRaw "modules" "list" "odoo";
    in
    if m == [ ] || !(lib.all (x: builtins.isString x && x != "") m) then
      fail "odoo.modules must be a non-empty list of module names"
    else
      m;
  odoo = {
    inherit modules;
    project_addons = lib.filter (lib.hasPrefix projectAddonPrefix) modules;
    options = lib.mapAttrs (key: kind: get odooRaw key kind "odoo") odooPassthrough // {
      http_interface = resolvedHosts.odoo;
      http_port = ports.odoo;
      gevent_port = ports.odoo_gevent;
      db_host = resolvedHosts.database;
      db_port = ports.postgresql;
      db_user = get stack "db_user" "string" "stack";
      db_name = get stack "database" "string" "stack";
      l10n_cr_einvoice_environment = hacienda.environment;
      l10n_cr_einvoice_simulator_url = simulator.url;
      l10n_cr_einvoice_schema_set = hacienda.schema_set;
      l10n_cr_einvoice_redis_url = redis.url;
      l10n_cr_einvoice_redis_prefix = redis.key_prefix;
      smtp_server = resolvedHosts.${portRole.smtp_sink};
      smtp_port = ports.smtp_sink;
    }
    // stagingOdooOptions;
  };

  nginxRaw = table raw "nginx";
  staticCache = get nginxRaw "static_cache" "string" "nginx";
  upstreams = lib.mapAttrs (name: portKey: [
    (addr resolvedHosts.${portRole.${portKey}} ports.${portKey})
  ]) upstreamPorts;
  resolveLocation =
    { index, value }:
    let
      loc = value;
      where = "nginx.locations[${toString index}]";
      path = get loc "path" "string" where;
      match = get loc "match" "string" where;
      action = get loc "action" "string" where;
      proxied = builtins.elem action [
        "proxy"
        "websocket"
        "static"
      ];
      upstream =
        if proxied then
          let
            u = get loc "upstream" "string" where;
          in
          if upstreams ? ${u} then
            u
          else
            fail "${where}.upstream must be one of ${lib.concatStringsSep ", " (builtins.attrNames upstreams)}, got ${builtins.toJSON u}"
        else if loc ? upstream then
          fail "${where}.upstream makes no sense for action ${builtins.toJSON action}"
        else
          null;
    in
    if !(builtins.isAttrs loc) then
      fail "${where} must be a table"
    else if !(locationMatches ? ${match}) then
      fail "${where}.match must be one of prefix, exact, regex"
    else if !(builtins.elem action locationActions) then
      fail "${where}.action must be one of ${lib.concatStringsSep ", " locationActions}"
    else
      {
        key = locationMatches.${match} + path;
        inherit
          path
          match
          action
          upstream
          ;
        priority = 100 + index;
        proxy_pass = if upstream != null then "http://${upstream}" else null;
        websocket = action == "websocket";
        cache_valid = if action == "static" then staticCache else null;
        return =
          {
            health = "200 ok";
            deny = "404";
          }
          .${action} or null;
      };
  locations =
    let
      ls = map resolveLocation (enumerate (get nginxRaw "locations" "list" "nginx"));
      dup = duplicates (map (l: l.key) ls);
    in
    if dup != [ ] then fail "nginx.locations: location ${builtins.toJSON (builtins.head dup)} is defined twice" else ls;
  securityHeaders =
    let
      h = get nginxRaw "security_headers" "set" "nginx";
      bad = lib.filter (n: !(builtins.isString h.${n})) (builtins.attrNames h);
    in
    if bad != [ ] then fail "nginx.security_headers.${builtins.head bad} must be a string" else h;
  nginx = {
    listen = {
      addr = resolvedHosts.proxy;
      port = ports.nginx;
    };
    server_name = get nginxRaw "server_name" "string" "nginx";
    client_max_body_size = get nginxRaw "client_max_body_size" "string" "nginx";
    static_cache = staticCache;
    gzip_types = get nginxRaw "gzip_types" "list" "nginx";
    security_headers = securityHeaders;
    inherit upstreams locations;
  };

  promRaw = table raw "prometheus";
  globalInterval = get promRaw "scrape_interval" "string" "prometheus";
  resolveJob =
    { index, value }:
    let
      job = value;
      where = "prometheus.scrape[${toString index}]";
      portKey = get job "port" "string" where;
      interval = job.interval or globalInterval;
      path = job.path or "/metrics";
    in
    if !(builtins.isAttrs job) then
      fail "${where} must be a table"
    else if !(ports ? ${portKey}) then
      fail "${where}.port names no key of [ports]: ${builtins.toJSON portKey}"
    else if !(builtins.isString interval) then
      fail "${where}.interval must be a string"
    else if !(builtins.isString path) then
      fail "${where}.path must be a string"
    else
      {
        job_name = get job "job" "string" where;
        scrape_interval = interval;
        metrics_path = path;
        static_configs = [ { targets = map (h: addr h ports.${portKey}) (portHosts portKey); } ];
        optional = job.optional or false;
        bearer_token_secret = if job.bearer_token or false then "metrics_token" else null;
      };
  scrapeConfigs =
    let
      jobs = map resolveJob (enumerate (get promRaw "scrape" "list" "prometheus"));
      dup = duplicates (map (j: j.job_name) jobs);
    in
    if dup != [ ] then
      fail "prometheus.scrape: job names repeated: ${lib.concatStringsSep ", " (lib.sort (a: b: a < b) dup)}"
    else
      jobs;
  prometheus = {
    listen = {
      addr = resolvedHosts.monitoring;
      port = ports.prometheus;
    };
    retention = get promRaw "retention" "string" "prometheus";
    global.scrape_interval = globalInterval;
    scrape_configs = scrapeConfigs;
  };

  grafanaRaw = table raw "grafana";
  listing =
    dir: suffixes:
    let
      full = repoRoot + "/${dir}";
      entries = if builtins.pathExists full then builtins.readDir full else { };
    in
    lib.sort (a: b: a < b) (
      lib.filter (
        name:
        entries.${name} == "regular"
        && !(lib.hasPrefix "." name)
        && lib.any (suffix: lib.hasSuffix suffix name) suffixes
      ) (builtins.attrNames entries)
    );
  dashboardsDir = get grafanaRaw "dashboards_dir" "string" "grafana";
  alertingDir = get grafanaRaw "alerting_dir" "string" "grafana";
  grafana = {
    listen = {
      addr = resolvedHosts.monitoring;
      port = ports.grafana;
    };
    datasource = {
      name = get grafanaRaw "datasource_name" "string" "grafana";
      type = "prometheus";
      uid = "prometheus";
      access = "proxy";
      isDefault = true;
      url = "http://${addr resolvedHosts.monitoring ports.prometheus}";
    };
    dashboards_dir = dashboardsDir;
    dashboards = listing dashboardsDir [ ".json" ];
    alerting_dir = alertingDir;
    alert_rules = listing alertingDir [
      ".yaml"
      ".yml"
    ];
  };
in
{
  stack = lib.genAttrs [
    "name"
    "database"
    "db_user"
    "admin_login"
    "bind_host"
    "timezone"
    "lang"
  ] (key: get stack key "string" "stack");
  inherit
    ports
    odoo
    redis
    nginx
    prometheus
    grafana
    simulator
    hacienda
    ;
  hosts = resolvedHosts;
  postgresql.listen = {
    addr = resolvedHosts.database;
    port = ports.postgresql;
  };
}
