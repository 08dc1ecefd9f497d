"""docs/nix-options.md is generated from the option declarations and up to date."""

import subprocess
import sys

from nix_harness import REPO


def test_option_reference_is_up_to_date():
    proc = subprocess.run([sys.executable, str(REPO / "nix/tools/gen_options_doc.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_option_reference_covers_the_secrets():
    text = (REPO / "docs/nix-options.md").read_text()
    for name in ("secrets.adminPasswordFile", "secrets.databasePasswordFile",
                 "secrets.haciendaCredentialsFile", "secrets.certificateFile",
                 "secrets.certificatePinFile", "secrets.grafanaAdminPasswordFile",
                 "secrets.metricsTokenFile", "secrets.generate", "seed.command",
                 "roles.database", "resolved"):
        assert f"services.l10n-cr-einvoice-staging.{name}" in text, name
