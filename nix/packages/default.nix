# The project's packages, for one nixpkgs package set. Used by flake.nix (packages.*)
# and as the defaults of the NixOS module's package options.
{
  pkgs,
  lib ? pkgs.lib,
  # repository root (a path: sources are filtered from it)
  repoRoot ? ../..,
  settingsFile ? repoRoot + "/stack/settings.toml",
  resolvedSettingsFile ? repoRoot + "/stack/settings.resolved.json",
}:
let
  repoSource = import ./repo-source.nix { inherit lib repoRoot; };
  resolved = import ../lib/settings.nix { inherit lib settingsFile resolvedSettingsFile; };
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

  # the staging stack's Python (stack/): the NixOS module runs the code scripts/stack runs
  # (the SMTP sink, the seed, the first start's Odoo shell scripts)
  einvoice-stack = pkgs.python3.pkgs.callPackage ./einvoice-stack.nix {
    inherit repoRoot;
    pythonPackages = pkgs.python3.pkgs;
  };

  hacienda-cr-schemas = pkgs.callPackage ./schemas.nix {
    sources = lib.importJSON (repoRoot + "/src/hacienda_cr/schema_sources.json");
  };

  # Costa Rica's national PKI certificates that have a published address (the others are
  # added with `hacienda-cr-pki.override { extraCertificates = { ... }; }`)
  hacienda-cr-pki = pkgs.callPackage ./pki.nix {
    sources = lib.importJSON (repoRoot + "/src/hacienda_cr/pki_sources.json");
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
