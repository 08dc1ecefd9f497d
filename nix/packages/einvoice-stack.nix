# The staging stack's Python package (stack/pyproject.toml, `einvoice_stack`): the same
# code scripts/stack runs on a plain host, run here by the NixOS module (the SMTP sink, the
# seed, the Odoo unit's first start and odoo.cfg's secrets).
{
  lib,
  pythonPackages,
  repoRoot,
}:
let
  # read from the repository, not from `src`: evaluation must not depend on the filtered
  # copy being in the store (nix flake check --no-build does not add it)
  pyproject = builtins.fromTOML (builtins.readFile (repoRoot + "/stack/pyproject.toml"));
  stackDir = toString (repoRoot + "/stack");
  src = lib.cleanSourceWith {
    name = "einvoice-stack-source";
    src = repoRoot + "/stack";
    filter =
      path: _type:
      let
        rel = lib.removePrefix "${stackDir}/" (toString path);
      in
      (rel == "pyproject.toml" || rel == "einvoice_stack" || lib.hasPrefix "einvoice_stack/" rel)
      && baseNameOf rel != "__pycache__"
      && !(lib.hasSuffix ".pyc" rel);
  };
in
pythonPackages.buildPythonPackage {
  pname = pyproject.project.name;
  inherit (pyproject.project) version;
  pyproject = true;
  inherit src;
  build-system = [ pythonPackages.setuptools ];
  optional-dependencies.smtp-sink = [ pythonPackages.aiosmtpd ];
  # its tests run in checks.python-tests
  doCheck = false;
  pythonImportsCheck = [ "einvoice_stack" ];
  meta = {
    description = pyproject.project.description;
    license = lib.licenses.lgpl3Plus;
    mainProgram = "einvoice-stack-seed";
  };
}
