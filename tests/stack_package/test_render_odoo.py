"""einvoice_stack.render_odoo's completion of an odoo.cfg (the NixOS Odoo unit's start:
upstream's store file, no secret in it, plus the secrets read from credentials)."""

from __future__ import annotations

import stat
import subprocess
import sys
from urllib.parse import unquote

import redis
from einvoice_stack import render_odoo

# what upstream's services.odoo writes (lib.generators.toINI: key=value, true/false)
STORE_CFG = """[options]
addons_path=/nix/store/x-addons
l10n_cr_einvoice_redis_url=redis://db:6380/0
list_db=false
workers=2
"""


def test_the_secrets_are_added_and_the_rest_kept():
    text = render_odoo.complete(STORE_CFG, {"admin_passwd": "a d m", "workers": "4"})
    lines = text.splitlines()
    assert lines[0] == "[options]"
    assert "admin_passwd = a d m" in lines and "workers = 4" in lines and "workers=2" not in lines
    assert "list_db=false" in lines and "addons_path=/nix/store/x-addons" in lines


def test_the_redis_url_gets_the_password_in_the_standard_form():
    """redis://:PASSWORD@host:port/db: what redis-py reads (the addon's token cache), with
    the password percent-encoded -- and what the library's log redaction looks for."""
    password = "p@ss:w/rd %41"
    url = render_odoo.redis_url_with_password("redis://db:6380/0", password)
    assert url.startswith("redis://:") and url.endswith("@db:6380/0")
    kwargs = redis.connection.parse_url(url)
    assert unquote(kwargs["password"]) == password or kwargs["password"] == password
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("db", 6380, 0)
    # an URL that already has credentials gets the new ones only
    assert render_odoo.redis_url_with_password("redis://:old@db:6380/0", "new") == "redis://:new@db:6380/0"


def test_the_command_line_writes_a_private_file(tmp_path):
    base = tmp_path / "odoo.cfg"
    base.write_text(STORE_CFG)
    (tmp_path / "admin").write_text("admin-secret\n")
    (tmp_path / "redis").write_text("redis-secret\n")
    out = tmp_path / "run" / "odoo.cfg"
    out.parent.mkdir()
    subprocess.run([sys.executable, "-m", "einvoice_stack.render_odoo", "--base", str(base), "--output", str(out),
                    "--secret", f"admin_passwd={tmp_path / 'admin'}", "--set", "data_dir=/var/lib/odoo",
                    "--redis-password-file", str(tmp_path / "redis")], check=True, capture_output=True)
    text = out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "admin_passwd = admin-secret" in text and "data_dir = /var/lib/odoo" in text
    assert "l10n_cr_einvoice_redis_url = redis://:redis-secret@db:6380/0" in text
    proc = subprocess.run([sys.executable, "-m", "einvoice_stack.render_odoo", "--base", str(base), "--output",
                           str(out), "--secret", f"db_password={tmp_path / 'missing'}"], capture_output=True, text=True)
    assert proc.returncode != 0 and "db_password" in proc.stderr and "Traceback" not in proc.stderr
