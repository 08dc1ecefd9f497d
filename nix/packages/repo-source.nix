# Parts of the repository as store sources, selected by path prefix. (lib.fileset would
# be nicer, but needs builtins.readFileType, which the Nix 2.8 of this project's CI
# lacks; cleanSourceWith works on every Nix.) A selected directory that does not exist
# yet is simply absent from the result.
{ lib, repoRoot }:
name: relPaths:
let
  root = toString repoRoot;
  wanted =
    rel:
    lib.any (
      p: rel == p || lib.hasPrefix "${p}/" rel || lib.hasPrefix "${rel}/" p
    ) relPaths;
  junk =
    base:
    base == "__pycache__"
    || lib.hasSuffix ".pyc" base
    || base == ".pytest_cache"
    || base == ".ruff_cache"
    || lib.hasSuffix ".egg-info" base;
in
lib.cleanSourceWith {
  inherit name;
  src = repoRoot;
  filter =
    path: _type:
    let
      rel = lib.removePrefix "${root}/" (toString path);
    in
    wanted rel && !(junk (baseNameOf rel));
}
