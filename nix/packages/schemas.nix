# The official XSDs (v4.4 and its 2026 revision, plus W3C xmldsig), fetched from where
# Hacienda/W3C publish them and pinned by the SHA-256s in
# src/hacienda_cr/schema_sources.json (hashes: shared/hacienda/SOURCES.md). Layout:
#   $out/xmldsig-core-schema.xsd   $out/<set>/<file>.xsd   (set = v4.4, v4.4-2026)
{
  lib,
  fetchurl,
  runCommand,
  sources,
}:
let
  checkHash = import ../lib/sha256-pin.nix "schema_sources.json";
  common = lib.mapAttrsToList (file: entry: {
    target = file;
    source = fetchurl {
      inherit (entry) url;
      sha256 = checkHash file entry.sha256;
    };
  }) sources.common;
  sets = lib.concatLists (
    lib.mapAttrsToList (
      set: entry:
      lib.mapAttrsToList (file: sha256: {
        target = "${set}/${file}";
        source = fetchurl {
          url = entry.base_url + file;
          name = "${set}-${file}";
          sha256 = checkHash "${set}/${file}" sha256;
        };
      }) entry.files
    ) sources.sets
  );
in
runCommand "hacienda-cr-schemas" {
  # what is fetched from where, pinned how (tests/nix compares it with the JSON)
  passthru.files = map (f: {
    inherit (f) target;
    inherit (f.source) urls outputHash;
  }) (common ++ sets);
} (
  lib.concatMapStrings (f: ''
    install -D -m 0444 ${f.source} "$out/${f.target}"
  '') (common ++ sets)
)
