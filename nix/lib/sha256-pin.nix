# A SHA-256 pin from one of the library's pin lists (src/hacienda_cr/*_sources.json), checked
# before fetchurl takes it as the fixed-output hash (base16, as Nix 2.8 and current Nix accept).
pinList: what: sha256:
if builtins.match "[0-9a-f]{64}" sha256 != null then
  sha256
else
  throw "src/hacienda_cr/${pinList}: ${what}: sha256 must be 64 lowercase hex digits"
