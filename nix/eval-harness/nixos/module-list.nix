# The mirrored NixOS modules every harness system gets (cf. nixos/modules/module-list.nix).
[
  ./core.nix
  ./systemd.nix
  ./users.nix
  ./networking.nix
  ./virtualisation.nix
  ./toplevel.nix
  ./services/odoo.nix
  ./services/postgresql.nix
  ./services/redis.nix
  ./services/nginx.nix
  ./services/prometheus.nix
  ./services/prometheus-exporters.nix
  ./services/grafana.nix
]
