# Mirrors the arguments of pkgs/build-support/docker/default.nix's
# streamLayeredImage / buildLayeredImage (nixpkgs rejects unknown ones there too: the
# functions take no `...`).
{ lib, mkDrv }:
let
  layered =
    kind:
    {
      name,
      tag ? null,
      fromImage ? null,
      contents ? [ ],
      config ? { },
      architecture ? null,
      created ? "1970-01-01T00:00:01Z",
      mtime ? "1970-01-01T00:00:01Z",
      uid ? 0,
      gid ? 0,
      uname ? "root",
      gname ? "root",
      maxLayers ? 100,
      extraCommands ? "",
      fakeRootCommands ? "",
      enableFakechroot ? false,
      includeStorePaths ? true,
      includeNixDB ? false,
      passthru ? { },
      layeringPipeline ? null,
      debug ? false,
      compressor ? "gz",
      meta ? { },
    }@args:
    let
      badConfig = lib.subtractLists [
        "User"
        "ExposedPorts"
        "Env"
        "Entrypoint"
        "Cmd"
        "Healthcheck"
        "Volumes"
        "WorkingDir"
        "Labels"
        "StopSignal"
        "ArgsEscaped"
        "Memory"
        "MemorySwap"
        "CpuShares"
      ] (builtins.attrNames config);
    in
    if badConfig != [ ] then
      throw "dockerTools.${kind} ${name}: unknown image config key(s) ${lib.concatStringsSep ", " badConfig} (OCI image config keys are capitalised)"
    else
      mkDrv (
        args
        // {
          name = "${kind}-${name}";
          passthru = passthru // {
            imageName = name;
            imageTag = tag;
          };
        }
      );
in
{
  streamLayeredImage = layered "stream";
  buildLayeredImage = layered "layered";
}
