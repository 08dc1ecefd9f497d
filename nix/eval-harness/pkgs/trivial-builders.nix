# Mirrors pkgs/build-support/trivial-builders/default.nix and mkShell's signatures.
{ lib, mkDrv }:
{
  runCommand =
    name: env: buildCommand:
    mkDrv (env // { inherit name buildCommand; });
  runCommandLocal =
    name: env: buildCommand:
    mkDrv (env // { inherit name buildCommand; });
  writeText = name: text: mkDrv { inherit name text; };
  # pkgs/build-support/trivial-builders: a fixed-output derivation the user adds to the
  # store by hand (nix-store --add-fixed); building it otherwise prints `message`
  requireFile =
    {
      name,
      sha256,
      hashMode ? "flat",
      message,
    }:
    if !(builtins.elem hashMode [ "flat" "recursive" ]) then
      throw "requireFile ${name}: hashMode must be flat or recursive"
    else
      mkDrv {
        inherit name message;
        outputHash = sha256;
        outputHashMode = hashMode;
      };
  writeTextFile =
    {
      name,
      text,
      executable ? false,
      destination ? "",
      checkPhase ? "",
      meta ? { },
      passthru ? { },
      allowSubstitutes ? false,
      preferLocalBuild ? true,
      derivationArgs ? { },
    }@args:
    mkDrv args;
  writeShellScript = name: text: mkDrv { inherit name text; };
  writeShellScriptBin =
    name: text:
    mkDrv {
      inherit name text;
      meta.mainProgram = name;
    };
  writeShellApplication =
    {
      name,
      text,
      runtimeInputs ? [ ],
      runtimeEnv ? null,
      meta ? { },
      passthru ? { },
      checkPhase ? null,
      excludeShellChecks ? [ ],
      extraShellCheckFlags ? [ ],
      bashOptions ? [
        "errexit"
        "nounset"
        "pipefail"
      ],
      inheritPath ? true,
      derivationArgs ? { },
    }@args:
    mkDrv (args // { meta = meta // { mainProgram = name; }; });
  linkFarm =
    name: entries:
    mkDrv {
      inherit name;
      entries = if builtins.isList entries then entries else lib.mapAttrsToList (n: p: { name = n; path = p; }) entries;
    };
  symlinkJoin =
    {
      name,
      paths,
      ...
    }@args:
    mkDrv args;
  mkShell =
    {
      name ? "nix-shell",
      packages ? [ ],
      inputsFrom ? [ ],
      buildInputs ? [ ],
      nativeBuildInputs ? [ ],
      propagatedBuildInputs ? [ ],
      propagatedNativeBuildInputs ? [ ],
      shellHook ? "",
      ...
    }@args:
    mkDrv (args // { inherit name; });
}
