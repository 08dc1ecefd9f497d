# Mirrors the parts of pkgs/development/interpreters/python/ the project uses: an
# interpreter with `.pkgs` (python-packages.nix names), `withPackages`, and
# buildPythonPackage/buildPythonApplication (mk-python-derivation.nix) whose results
# carry `optional-dependencies`, propagatedBuildInputs (dependencies + interpreter) and
# overridePythonAttrs; only libraries get `pythonModule` (python-packages-base.nix:
# buildPythonApplication uses `toPythonModule = x: x`).
{ lib, drv }:
let
  inherit (drv) mkDrv;

  # Python packages the project uses, by their nixpkgs attribute name
  # (pkgs/development/python-modules/<name>). Add one only after checking it exists there.
  packageNames = [
    # pkgs/development/python-modules/aiosmtpd/default.nix (the stack's SMTP sink)
    "aiosmtpd"
    "cryptography"
    # pkgs/development/python-modules/freezegun/default.nix (date tests at frozen hours)
    "freezegun"
    "gevent"
    "hypothesis"
    "lxml"
    "prometheus-client"
    "psycopg2"
    # pkgs/development/python-modules/pypdf2/default.nix (pname "pypdf2", 3.0.1; imports PyPDF2)
    "pypdf2"
    "pytest"
    "pytest-benchmark"
    "redis"
    "requests"
    "setuptools"
    "werkzeug"
  ];

  mkInterpreter =
    pname: version:
    let
      interpreter = mkDrv {
        inherit pname version;
        passthru = {
          inherit pkgs pythonVersion;
          withPackages =
            f:
            mkDrv {
              name = "${pname}-${version}-env";
              packages = f pkgs;
            };
          sitePackages = "lib/python${pythonVersion}/site-packages";
          executable = "python${pythonVersion}";
        };
      };
      pythonVersion = lib.versions.majorMinor version;

      buildPython =
        kind:
        {
          pname,
          version,
          pyproject ? null,
          format ? null,
          src ? null,
          build-system ? [ ],
          dependencies ? [ ],
          optional-dependencies ? { },
          nativeCheckInputs ? [ ],
          pythonImportsCheck ? [ ],
          doCheck ? true,
          passthru ? { },
          meta ? { },
          ...
        }@attrs:
        if pyproject == null && format == null then
          throw "${kind} ${pname}: set `pyproject = true` (or `format`), as nixpkgs requires"
        else
          let
            # like mk-python-derivation, `dependencies` and `build-system` become
            # propagatedBuildInputs / nativeBuildInputs, not attributes of the result
            result = mkDrv (
              removeAttrs attrs [
                "dependencies"
                "build-system"
              ]
              // {
                nativeBuildInputs = (attrs.nativeBuildInputs or [ ]) ++ build-system;
                name =
                  if kind == "buildPythonApplication" then
                    "${pname}-${version}"
                  else
                    "python${pythonVersion}-${pname}-${version}";
                propagatedBuildInputs = (attrs.propagatedBuildInputs or [ ]) ++ dependencies ++ [ interpreter ];
                passthru =
                  passthru
                  # toPythonModule: libraries name their interpreter, applications do not
                  // lib.optionalAttrs (kind == "buildPythonPackage") { pythonModule = interpreter; }
                  // {
                  inherit optional-dependencies;
                  overridePythonAttrs =
                    f: buildPython kind (attrs // (if builtins.isFunction f then f attrs else f));
                };
              }
            );
          in
          result;

      pkgs =
        lib.genAttrs packageNames (
          name:
          buildPython "buildPythonPackage" {
            pname = name;
            version = "0";
            pyproject = true;
          }
        )
        // {
          python = interpreter;
          buildPythonPackage = buildPython "buildPythonPackage";
          buildPythonApplication = buildPython "buildPythonApplication";
          callPackage = lib.callPackageWith (pkgs // { inherit lib; });
        };
    in
    interpreter;
in
{
  inherit mkInterpreter packageNames;
}
