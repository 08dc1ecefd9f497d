"""The plain-host configs rendered from the settings: accepted by the programs themselves,
and following the settings file (no port of their own). Needs no running stack, but is part
of the stack suite because it tests scripts/stack's renderers."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack
REPO = Path(__file__).resolve().parents[2]  # the checkout (in the NixOS VM: its copy of the suites)

if not (REPO / "scripts" / "stack").is_file():  # the NixOS VM copies only stack/ and tests/
    pytest.skip("the plain host's scripts/ are not in this copy of the repository", allow_module_level=True)

from einvoice_stack import configs, render_monitoring, render_nginx, render_odoo  # noqa: E402
from einvoice_stack.layout import Layout, stackconf  # noqa: E402
from einvoice_stack.programs import programs  # noqa: E402

SETTINGS = REPO / "stack" / "settings.toml"


def _layout(tmp_path: Path, settings_file: Path = SETTINGS) -> Layout:
    return Layout(home=tmp_path / "home", repo=REPO, venv=REPO / ".venv", odoo_src=Path("/opt/odoo19"),
                  settings_file=settings_file)


def _shifted_settings(tmp_path: Path) -> Path:
    """settings.toml with every port moved by +10000 (below 65536)."""
    text = SETTINGS.read_text(encoding="utf-8")
    section = re.search(r"\[ports\]\n(.*?)\n\n", text, re.S)
    shifted = re.sub(r"= (\d+)", lambda m: f"= {int(m.group(1)) + 10000}", section.group(1))
    path = tmp_path / "settings.toml"
    path.write_text(text.replace(section.group(1), shifted), encoding="utf-8")
    return path


def test_nginx_config_is_valid(tmp_path):
    """nginx -t accepts the rendered configuration."""
    layout = _layout(tmp_path)
    settings = stackconf.load(SETTINGS)
    for path in (layout.logs, layout.run, layout.nginx_temp):
        path.mkdir(parents=True)
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_nginx.render(settings, layout), encoding="utf-8")
    result = subprocess.run(["/usr/sbin/nginx", "-t", "-c", str(conf), "-e", str(layout.logs / "e.log")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_prometheus_config_is_valid(tmp_path):
    """promtool accepts the rendered Prometheus configuration."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool (package prometheus) is missing"
    layout = _layout(tmp_path)
    layout.secrets.mkdir(parents=True)
    layout.secret("metrics-token").write_text("token\n")
    conf = tmp_path / "prometheus.yml"
    conf.write_text(render_monitoring.render_prometheus(stackconf.load(SETTINGS), layout), encoding="utf-8")
    result = subprocess.run([promtool, "check", "config", str(conf)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_location_of_the_settings_is_rendered(tmp_path):
    """Each [[nginx.locations]] appears in nginx.conf with its behaviour."""
    settings = stackconf.load(SETTINGS)
    text = render_nginx.render(settings, _layout(tmp_path))
    for loc in settings["nginx"]["locations"]:
        assert f"location {loc['key']} {{" in text, loc["key"]
    assert text.count("return 404;") >= sum(1 for loc in settings["nginx"]["locations"] if loc["action"] == "deny")


def test_rendered_configs_follow_the_settings_ports(tmp_path):
    """With every port of settings.toml moved, no rendered file keeps a default port."""
    shifted = _shifted_settings(tmp_path)
    layout = _layout(tmp_path, shifted)
    settings = stackconf.load(shifted)
    layout.secrets.mkdir(parents=True)
    for name in ("odoo-master-password", "odoo-db-password", "metrics-token"):
        layout.secret(name).write_text("x\n")
    rendered = configs.rendered(settings, layout, programs(settings, layout))
    defaults = stackconf.load(SETTINGS)["ports"]
    everything = "\n".join(rendered.values())
    for name, port in defaults.items():
        assert not re.search(rf"(?<![\d.]){port}(?!\d)", everything), f"default port {port} ({name}) still rendered"
        assert str(port + 10000) in everything or name in ("grafana",), f"{name}: {port + 10000} not rendered"


def test_odoo_config_has_the_options_of_the_settings(tmp_path):
    """odoo.conf holds every resolved Odoo option (dbfilter, list_db, proxy_mode, workers...)."""
    settings = stackconf.load(SETTINGS)
    text = render_odoo.render(settings, _layout(tmp_path), admin_passwd="a", db_password="b", schema_dir="/x")
    for key, value in settings["odoo"]["options"].items():
        expected = ("True" if value else "False") if isinstance(value, bool) else str(value)
        assert f"\n{key} = {expected}\n" in text, key
