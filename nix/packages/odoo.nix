# Odoo 19 (nixpkgs' odoo19) with the Python dependencies of the addons added to its
# interpreter: hacienda_cr and its cache (redis) and metrics (prometheus-client) extras.
{
  odooBase,
  hacienda-cr,
}:
odooBase.overridePythonAttrs (old: {
  dependencies =
    old.dependencies
    ++ [ hacienda-cr ]
    ++ hacienda-cr.optional-dependencies.cache
    ++ hacienda-cr.optional-dependencies.metrics;
})
