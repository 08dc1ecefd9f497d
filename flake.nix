{
  description = "Costa Rica e-invoicing (Hacienda v4.4) for Odoo 19: packages, NixOS modules and VM tests of the staging stack";

  # One input. flake.lock pins a nixos-unstable revision that has odoo19 (see
  # docs/nix.md, "Pinned nixpkgs"). CI evaluates this flake with the input overridden
  # by nix/eval-harness (scripts/nix-check).
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});
      repoRoot = ./.;
      repoSource = import ./nix/packages/repo-source.nix { inherit lib repoRoot; };
      resolved = import ./nix/lib/settings.nix {
        inherit lib;
        settingsFile = ./stack/settings.toml;
        resolvedSettingsFile = ./stack/settings.resolved.json;
      };
      packagesFor = pkgs: import ./nix/packages { inherit pkgs lib repoRoot; };
      modules = self.nixosModules.default;
    in
    {
      packages = forAllSystems (
        _system: pkgs:
        let
          p = packagesFor pkgs;
        in
        {
          inherit (p)
            hacienda-cr
            hacienda-cr-pki
            hacienda-cr-schemas
            l10n-cr-einvoice-addons
            odoo-l10n-cr
            oci-odoo
            oci-simulator
            ;
          default = p.odoo-l10n-cr;
        }
      );

      nixosModules.default = {
        imports = [ ./nix/modules ];
      };

      nixosConfigurations.staging = lib.nixosSystem {
        modules = [
          ./nix/hosts/staging.nix
          { nixpkgs.hostPlatform = "x86_64-linux"; }
        ];
      };

      apps = lib.genAttrs [ "x86_64-linux" ] (_system: {
        staging = {
          type = "app";
          program =
            let
              cfg = self.nixosConfigurations.staging.config;
            in
            "${cfg.system.build.vm}/bin/run-${cfg.networking.hostName}-vm";
        };
        default = self.apps.x86_64-linux.staging;
      });

      checks = forAllSystems (
        system: pkgs:
        let
          p = packagesFor pkgs;
          python = p.odooPython;
          testArgs = { inherit pkgs modules resolved; };
          # the stack's package built for Odoo's interpreter, the one the test suites run on
          stackForTests = python.pkgs.callPackage ./nix/packages/einvoice-stack.nix {
            inherit repoRoot;
            pythonPackages = python.pkgs;
          };
        in
        {
          python-tests = import ./nix/tests/python-tests.nix {
            inherit
              lib
              pkgs
              repoRoot
              repoSource
              python
              ;
            inherit (p) hacienda-cr;
            einvoice-stack = stackForTests;
            schemas = p.hacienda-cr-schemas;
          };
          lint = import ./nix/tests/lint.nix { inherit pkgs repoSource; };
        }
        # VM tests need KVM on the builder: x86_64-linux only.
        // lib.optionalAttrs (system == "x86_64-linux") {
          smoke = import ./nix/tests/smoke.nix testArgs;
          split = import ./nix/tests/split.nix testArgs;
          e2e = import ./nix/tests/e2e.nix (
            testArgs
            // {
              inherit repoSource python;
              stackPackage = stackForTests;
            }
          );
        }
      );

      devShells = forAllSystems (
        _system: pkgs:
        let
          p = packagesFor pkgs;
          python = p.odooPython;
        in
        {
          default = pkgs.mkShell {
            packages = [
              (python.withPackages (
                ps:
                [ p.hacienda-cr ]
                ++ p.hacienda-cr.optional-dependencies.cache
                ++ p.hacienda-cr.optional-dependencies.metrics
                ++ [
                  ps.pytest
                  ps.hypothesis
                  ps.freezegun
                  ps.pytest-benchmark
                  ps.setuptools
                ]
              ))
              p.odoo-l10n-cr
              pkgs.ruff
              pkgs.nixfmt
              pkgs.postgresql_15
              pkgs.redis
              pkgs.jq
              pkgs.curl
            ];
            shellHook = ''
              # the library and the stack's package from the working tree
              export PYTHONPATH="$PWD/src:$PWD/stack''${PYTHONPATH:+:$PYTHONPATH}"
              echo "l10n-cr-einvoice dev shell: pytest, ruff, odoo, nixfmt; src/ and stack/ are on PYTHONPATH"
            '';
          };
        }
      );

      formatter = forAllSystems (_system: pkgs: pkgs.nixfmt);
    };
}
