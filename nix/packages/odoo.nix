# Odoo 19 (nixpkgs' odoo19) with the Python dependencies of the addons added to its
# interpreter: hacienda_cr and its cache (redis) and metrics (prometheus-client) extras.
#
# With workers > 0 (the stack's [odoo].workers) Odoo starts its websocket (gevent) worker
# by running `python sys.argv[0] gevent`; nixpkgs' bin/odoo is a shell wrapper, so that
# fails unless the package patches sys.argv[0] to the wrapped script (nixpkgs issue
# 437260; odoo19 carries the fix as its postPatch, read at nixpkgs 913611c2). Evaluation
# stops here when the odoo19 of the pinned nixpkgs does not.
{
  lib,
  odooBase,
  hacienda-cr,
}:
let
  websocketWorkerFix = lib.hasInfix ".odoo-wrapped" (odooBase.postPatch or "");
in
if !websocketWorkerFix then
  throw "pkgs.odoo19 ${odooBase.version or ""} does not patch sys.argv[0] to bin/.odoo-wrapped (nixpkgs issue 437260): its websocket worker would not start with workers > 0; use a nixpkgs whose odoo19 has that postPatch"
else
  odooBase.overridePythonAttrs (old: {
    dependencies =
      old.dependencies
      ++ [ hacienda-cr ]
      ++ hacienda-cr.optional-dependencies.cache
      ++ hacienda-cr.optional-dependencies.metrics;
  })
