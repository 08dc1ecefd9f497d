"""The certificates the NixOS stack checks signatures against: Costa Rica's national PKI as a
package pinned like the XSDs, and -- with the simulator only -- the stack's test PKI, made at
boot by the code scripts/stack runs and named by the rules stackconf resolves."""

from __future__ import annotations

import json

import pytest
from einvoice_stack import stackconf
from nix_harness import REPO, edit, nix_eval_json

STAGING = "nixosConfigurations.staging.config"
FILES = stackconf.TEST_PKI_FILES


def test_the_certificates_with_an_address_are_fetched_by_their_pinned_sha256():
    """A fixed-output fetch per certificate with a published address; those files are DER,
    so the pin of the DER certificate is the file's hash (the build checks every file's DER
    SHA-256 again, also of certificates given by hand)."""
    sources = json.loads((REPO / "src/hacienda_cr/pki_sources.json").read_text())
    entries = {**sources["anchors"], **sources["intermediates"]}
    expected = {name: ([e["url"]], e["sha256"]) for name, e in entries.items() if e.get("url")}
    files = nix_eval_json("packages.x86_64-linux.hacienda-cr-pki.files")
    assert {f["target"]: (f["urls"], f["outputHash"]) for f in files} == expected
    assert {"raiz-nacional-v2.pem", "politica-persona-juridica-v2.pem"} <= set(expected)


E2E = "checks.x86_64-linux.e2e.nodes.staging"


@pytest.fixture(scope="module")
def staging():
    """What the e2e test's machine (the whole stack, seeded, secrets generated) gives Odoo,
    the simulator and the seed."""
    return nix_eval_json(E2E, apply="""c: let s = c.systemd.services; stack = c.services.l10n-cr-einvoice-staging; in {
      options = c.services.odoo.settings.options;
      odoo = { inherit (s.odoo) after requires; inherit (s.odoo.serviceConfig) LoadCredential; };
      seed = s.l10n-cr-einvoice-staging-seed.environment;
      simulator = s.l10n-cr-einvoice-simulator.serviceConfig;
      testPki = s.l10n-cr-einvoice-staging-test-pki.script;
      testPkiBefore = s.l10n-cr-einvoice-staging-test-pki.before;
      directory = stack.testPki.directory;
      pki = "${stack.packages.pki}";
      secrets = s.l10n-cr-einvoice-staging-secrets.script;
      supplier = stack.resolved.hacienda.demo_supplier.simulator_user;
    }""")


def test_with_the_simulator_odoo_trusts_the_stacks_test_ca_and_the_simulators_seal(staging):
    credentials = "/run/credentials/odoo.service"
    options = staging["options"]
    assert options["l10n_cr_einvoice_pki_dir"] == staging["pki"]
    assert options["l10n_cr_einvoice_simulator_trust_anchors"] == f"{credentials}/test-ca.pem"
    assert options["l10n_cr_einvoice_hacienda_certificates"] == f"{credentials}/simulator-certificate.pem"
    directory = staging["directory"]
    assert f"test-ca.pem:{directory}/{FILES['ca_cert']}" in staging["odoo"]["LoadCredential"]
    assert f"simulator-certificate.pem:{directory}/{FILES['seal_cert']}" in staging["odoo"]["LoadCredential"]
    # the CA's key and the seal's key never reach Odoo
    assert not any(FILES["ca_key"] in c or FILES["seal_p12"] in c for c in staging["odoo"]["LoadCredential"])
    unit = "l10n-cr-einvoice-staging-test-pki.service"
    assert unit in staging["odoo"]["after"] and unit in staging["odoo"]["requires"]
    assert {"odoo.service", "l10n-cr-einvoice-simulator.service"} <= set(staging["testPkiBefore"])
    assert f"--dir {directory}" in staging["testPki"] and "-m einvoice_stack.test_pki" in staging["testPki"]
    assert staging["seed"]["TEST_PKI_DIR"] == directory


def test_the_demo_supplier_gets_its_simulator_account(staging):
    creds = next(block for block in staging["secrets"].split("\n\n") if "--kind hacienda-credentials" in block)
    assert f"--supplier-user {staging['supplier']}" in creds


def test_the_simulator_seals_with_the_test_pkis_key(staging):
    sim = staging["simulator"]
    assert "--signing-p12 %d/seal.p12" in sim["ExecStart"] and "--signing-pin-file %d/seal.pin" in sim["ExecStart"]
    directory = staging["directory"]
    assert f"seal.p12:{directory}/{FILES['seal_p12']}" in sim["LoadCredential"]
    assert f"seal.pin:{directory}/{FILES['seal_pin']}" in sim["LoadCredential"]


def test_a_production_machine_names_no_test_certificate(flake_copy):
    """The same machine talking to Hacienda's production: the national PKI only -- no test CA,
    no simulator certificate, no test PKI unit, no demo supplier."""
    edit(flake_copy / "nix/tests/single-node.nix", "    enable = true;\n",
         '    enable = true;\n    hacienda.environment = "production";\n')
    data = nix_eval_json(E2E, flake_copy, apply="""c: let s = c.systemd.services; in {
      options = c.services.odoo.settings.options;
      credentials = s.odoo.serviceConfig.LoadCredential;
      units = builtins.attrNames s;
      seed = s.l10n-cr-einvoice-staging-seed.environment;
      secrets = s.l10n-cr-einvoice-staging-secrets.script;
    }""")
    options = data["options"]
    assert [k for k in options if "trust" in k or "hacienda_certificates" in k] == []
    assert options["l10n_cr_einvoice_pki_dir"].startswith("/nix/store/")
    assert not any("test-ca" in c or "simulator-certificate" in c for c in data["credentials"])
    assert "l10n-cr-einvoice-staging-test-pki" not in data["units"]
    assert "l10n-cr-einvoice-simulator" not in data["units"]
    assert "TEST_PKI_DIR" not in data["seed"]
    assert "--supplier-user" not in data["secrets"]
