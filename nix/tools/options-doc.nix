# The option declarations of services.l10n-cr-einvoice-staging, as data for
# gen_options_doc.py (docs/nix-options.md). Evaluated against the eval harness so it
# works where nixpkgs cannot be fetched; only declarations are read.
{ nixpkgsLib }:
let
  lib = import nixpkgsLib;
  harness = import ../eval-harness/outputs.nix { inherit lib; };
  system = harness.lib.nixosSystem {
    modules = [
      ../modules
      { nixpkgs.hostPlatform = "x86_64-linux"; }
    ];
  };
  render = v: if v ? _type then { inherit (v) _type text; } else v;
  docs = lib.filter (o: o.visible && !o.internal) (
    lib.optionAttrSetToDocList system.options.services.l10n-cr-einvoice-staging
  );
in
map (o: {
  inherit (o) name type readOnly;
  description = o.description or "";
  default = if o ? default then render o.default else null;
  example = if o ? example then render o.example else null;
  declarations = map toString o.declarations;
}) docs
