# The hacienda_cr library and its `hacienda-cr` CLI (simulator included), built from
# pyproject.toml: dependencies and the cache/metrics extras are read from it, so adding
# one there is enough (the name must exist in nixpkgs' python packages).
{
  lib,
  pythonPackages,
  repoSource,
  repoRoot,
}:
let
  # read from the repository, not from `src`: evaluation must not depend on the
  # filtered copy being in the store (nix flake check --no-build does not add it)
  pyproject = builtins.fromTOML (builtins.readFile (repoRoot + "/pyproject.toml"));
  src = repoSource "hacienda-cr-source" [
    "pyproject.toml"
    "README.md"
    "src"
  ];
  # "prometheus-client>=0.15" -> pythonPackages.prometheus-client
  attrName =
    requirement:
    let
      m = builtins.match "([A-Za-z0-9][A-Za-z0-9._-]*).*" requirement;
    in
    if m == null then
      throw "pyproject.toml: cannot read requirement ${builtins.toJSON requirement}"
    else
      lib.toLower (builtins.replaceStrings [ "_" "." ] [ "-" "-" ] (builtins.head m));
  toPackage =
    requirement:
    pythonPackages.${attrName requirement}
      or (throw "pyproject.toml requires ${attrName requirement}, which nixpkgs' python packages (and the eval harness) do not have under that name");
  extras = pyproject.project.optional-dependencies or { };
in
pythonPackages.buildPythonPackage {
  pname = pyproject.project.name;
  inherit (pyproject.project) version;
  pyproject = true;
  inherit src;
  build-system = [ pythonPackages.setuptools ];
  dependencies = map toPackage pyproject.project.dependencies;
  optional-dependencies = {
    cache = map toPackage (extras.cache or [ ]);
    metrics = map toPackage (extras.metrics or [ ]);
  };
  # The test suite runs in checks.python-tests (it needs the test extras and data).
  doCheck = false;
  pythonImportsCheck = [ "hacienda_cr" ];
  meta = {
    description = pyproject.project.description;
    license = lib.licenses.lgpl3Plus;
    mainProgram = "hacienda-cr";
  };
}
