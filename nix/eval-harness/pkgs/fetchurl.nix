# Mirrors pkgs/build-support/fetchurl/default.nix's argument checks: exactly one URL
# source and exactly one hash, in a form a fixed-output derivation accepts.
{ lib, mkDrv }:
{
  url ? null,
  urls ? [ ],
  name ? null,
  hash ? null,
  sha256 ? null,
  sha512 ? null,
  ...
}@args:
let
  allUrls = lib.optional (url != null) url ++ urls;
  hashes = lib.filter (h: h != null) [
    hash
    sha256
    sha512
  ];
  isBase16 = n: s: builtins.match "[0-9a-f]{${toString n}}" s != null;
  isBase32 = n: s: builtins.match "[0-9a-df-np-sv-z]{${toString n}}" s != null;
  isSri = s: builtins.match "(sha256|sha512)-[A-Za-z0-9+/]+=*" s != null;
  validSha256 = s: isBase16 64 s || isBase32 52 s || isSri s;
  validHash = s: isSri s;
in
if allUrls == [ ] then
  throw "fetchurl requires `url` or `urls`"
else if builtins.length hashes != 1 then
  throw "fetchurl (${builtins.head allUrls}) requires exactly one of hash, sha256, sha512"
else if sha256 != null && !(validSha256 sha256) then
  throw "fetchurl (${builtins.head allUrls}): sha256 ${builtins.toJSON sha256} is neither base16, base32 nor SRI"
else if hash != null && !(validHash hash) then
  throw "fetchurl (${builtins.head allUrls}): hash ${builtins.toJSON hash} is not an SRI hash"
else
  mkDrv (
    {
      name = if name != null then name else baseNameOf (builtins.head allUrls);
      urls = allUrls;
      outputHash = builtins.head hashes;
    }
    // removeAttrs args [
      "url"
      "urls"
      "name"
      "hash"
      "sha256"
      "sha512"
    ]
  )
