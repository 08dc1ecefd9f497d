# The project's packages, for one nixpkgs package set. Used by flake.nix (packages.*)
# and as the defaults of the NixOS module's package options.
{
  pkgs,
  lib ? pkgs.lib,
  # repository root (a path: sources are filtered from it)
  repoRoot ? ../..,
  settingsFile ? repoRoot + "/stack/settings.toml",
}:
let
  repoSource = import ./repo-source.nix { inherit lib repoRoot; };
  resolved = import ../lib/resolve.nix { inherit lib settingsFile repoRoot; };
  # Odoo 19 runs on its own interpreter (pkgs/by-name/od/odoo19: python312 override);
  # the library must be built for that one to be importable by the addons. An
  # application has no `pythonModule` (nixpkgs' buildPythonApplication), but each of its
  # Python dependencies names the interpreter it was built for.
  odooBase = pkgs.odoo19;
  python =
    (lib.findFirst (d: d ? pythonModule)
      (throw "pkgs.odoo19: no Python module among its propagatedBuildInputs")
      odooBase.propagatedBuildInputs
    ).pythonModule;
in
rec {
  # Odoo's interpreter (not a package output: used by checks and the dev shell)
  odooPython = python;

  hacienda-cr = python.pkgs.callPackage ./hacienda-cr.nix {
    inherit repoSource repoRoot;
    pythonPackages = python.pkgs;
  };

  # scripts/ and stack/ as the plain-host stack uses them: the NixOS module runs their
  # code rather than copies of it (the SMTP sink, the seeding script, the Odoo shell
  # scripts of the first start in scripts/stack_lib/odoo_db.py)
  stack-scripts = repoSource "l10n-cr-einvoice-stack-scripts" [
    "scripts"
    "stack"
  ];

  hacienda-cr-schemas = pkgs.callPackage ./schemas.nix {
    sources = lib.importJSON (repoRoot + "/src/hacienda_cr/schema_sources.json");
  };

  l10n-cr-einvoice-addons = pkgs.callPackage ./addons.nix {
    inherit repoSource;
    inherit (resolved.odoo) project_addons;
  };

  odoo-l10n-cr = pkgs.callPackage ./odoo.nix { inherit odooBase hacienda-cr; };

  oci-odoo = pkgs.callPackage ./oci-images.nix {
    inherit resolved;
    odoo = odoo-l10n-cr;
    addons = l10n-cr-einvoice-addons;
    schemas = hacienda-cr-schemas;
    inherit hacienda-cr;
    image = "odoo";
  };

  oci-simulator = pkgs.callPackage ./oci-images.nix {
    inherit resolved;
    odoo = odoo-l10n-cr;
    addons = l10n-cr-einvoice-addons;
    schemas = hacienda-cr-schemas;
    inherit hacienda-cr;
    image = "simulator";
  };
}
