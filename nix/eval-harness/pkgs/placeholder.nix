# The one kind of derivation this harness makes: it evaluates, records (as JSON) every
# input it was given -- which forces their evaluation, as instantiating the real
# derivation would -- and fails if anyone tries to build it.
{ lib, system }:
let
  # toJSON cannot serialise functions; nixpkgs derivations never carry them in env.
  sanitize =
    v:
    if builtins.isFunction v then
      "<function>"
    else if lib.isDerivation v then
      "${v}"
    else if builtins.isAttrs v then
      lib.mapAttrs (_: sanitize) (removeAttrs v [ "override" "overrideDerivation" "overrideAttrs" "overridePythonAttrs" "__functor" ])
    else if builtins.isList v then
      map sanitize v
    else
      v;

  mkDrv =
    {
      name ? "${attrs.pname}-${attrs.version}",
      passthru ? { },
      meta ? { },
      ...
    }@attrs:
    let
      inputs = removeAttrs attrs [
        "passthru"
        "meta"
      ];
      outputs = attrs.outputs or [ "out" ];
      base = derivation {
        inherit name system outputs;
        builder = "/bin/sh";
        args = [
          "-c"
          "echo 'nix eval harness placeholder (${name}): evaluation only, nothing can be built here' >&2; exit 1"
        ];
        harnessInputs = builtins.toJSON (sanitize inputs);
      };
    in
    # like a real derivation, the result carries its arguments as attributes
    inputs
    // base
    // passthru
    // {
      inherit meta passthru;
      overrideAttrs =
        f: mkDrv (attrs // (if builtins.isFunction f then f attrs else f));
    }
    // lib.optionalAttrs (attrs ? pname) { inherit (attrs) pname version; };

  # A prebuilt tool from nixpkgs (bin/<name>).
  tool =
    name:
    mkDrv {
      pname = name;
      version = "0";
      meta.mainProgram = name;
    };

  stdenv = {
    hostPlatform = {
      inherit system;
      isLinux = true;
      isDarwin = false;
      isx86_64 = system == "x86_64-linux";
      isAarch64 = system == "aarch64-linux";
    };
    buildPlatform = stdenv.hostPlatform;
    targetPlatform = stdenv.hostPlatform;
    inherit system;
    mkDerivation = mkDrv;
    shell = "/bin/sh";
  };
in
{
  inherit mkDrv tool sanitize stdenv;
  stdenvNoCC = stdenv;
}
