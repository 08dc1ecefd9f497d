# Costa Rica's national PKI certificates (Firma Digital roots and CAs, Hacienda's root), the
# directory the addon's l10n_cr_einvoice_pki_dir names. Pinned by the SHA-256s of
# src/hacienda_cr/pki_sources.json, the pin list hacienda_cr.pki checks at run time too
# (provenance: shared/hacienda/docs/SOURCES.md):
#  - a certificate with a published address (the national root and the two policy CAs) is
#    fetched from it; these files are DER, so the pin of the DER certificate is the file's
#    fixed-output hash;
#  - the others (the SINPE intermediates, Hacienda's root) have no address: give them as
#    `extraCertificates` (file name of the pin list -> a path, PEM or DER); each is refused
#    at build time unless its DER SHA-256 is the pinned one. Missing ones only make the
#    chains through them fail.
# Layout: $out/<name of the pin list>, PEM (what `hacienda-cr pki fetch` writes).
{
  lib,
  fetchurl,
  runCommand,
  openssl,
  sources,
  extraCertificates ? { },
}:
let
  checkHash = import ../lib/sha256-pin.nix "pki_sources.json";
  entries = sources.anchors // sources.intermediates;
  unknown = lib.subtractLists (builtins.attrNames entries) (builtins.attrNames extraCertificates);
  fetched = lib.mapAttrsToList (file: entry: {
    target = file;
    sha256 = checkHash file entry.sha256;
    source = fetchurl {
      inherit (entry) url;
      name = file;
      sha256 = checkHash file entry.sha256;
    };
  }) (lib.filterAttrs (_: entry: (entry.url or null) != null) entries);
  given = lib.mapAttrsToList (file: source: {
    target = file;
    sha256 = checkHash file entries.${file}.sha256;
    inherit source;
  }) extraCertificates;
in
if unknown != [ ] then
  throw "hacienda-cr-pki: extraCertificates names ${builtins.head unknown}, which src/hacienda_cr/pki_sources.json does not pin"
else
  runCommand "hacienda-cr-pki"
    {
      nativeBuildInputs = [ openssl ];
      # what is fetched from where, pinned how (tests/nix compares it with the JSON)
      passthru.files = map (f: {
        inherit (f) target;
        inherit (f.source) urls outputHash;
      }) fetched;
    }
    (
      ''
        mkdir -p $out
        install_certificate() { # target source sha256
          openssl x509 -inform PEM -in "$2" -out "$out/$1" 2>/dev/null \
            || openssl x509 -inform DER -in "$2" -out "$out/$1"
          actual="$(openssl x509 -in "$out/$1" -outform DER | sha256sum | cut -d' ' -f1)"
          if [ "$actual" != "$3" ]; then
            echo "hacienda-cr-pki: $1 has SHA-256 $actual, pinned $3" >&2
            exit 1
          fi
          chmod 0444 "$out/$1"
        }
      ''
      + lib.concatMapStrings (f: ''
        install_certificate ${f.target} ${f.source} ${f.sha256}
      '') (fetched ++ given)
    )
