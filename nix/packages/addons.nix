# The repository's Odoo addons (addon/<name>), laid out as an addons path. Built from a
# filtered ./addon so evaluation works before the addons exist; the build (not the
# evaluation) fails if one of the project addons named in [odoo].modules is missing.
{
  lib,
  runCommand,
  repoSource,
  project_addons,
}:
let
  src = repoSource "l10n-cr-einvoice-addons-source" (map (a: "addon/${a}") project_addons);
in
runCommand "l10n-cr-einvoice-addons" { inherit src; } ''
  mkdir -p $out
  for addon in ${lib.escapeShellArgs project_addons}; do
    if [ ! -f "$src/addon/$addon/__manifest__.py" ]; then
      echo "addon/$addon/__manifest__.py is missing (stack/settings.toml [odoo].modules lists $addon)" >&2
      exit 1
    fi
    cp -r "$src/addon/$addon" "$out/$addon"
  done
''
