"""odoo.conf from the resolved settings (stackconf's `odoo.options`) plus this host's paths."""

from __future__ import annotations

from einvoice_stack.layout import Layout


def _value(value) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def render(settings: dict, layout: Layout, *, admin_passwd: str, db_password: str,
           schema_dir: str) -> str:
    options = dict(settings["odoo"]["options"])
    options.update(
        {
            "addons_path": ",".join(str(p) for p in layout.addons_path()),
            "data_dir": str(layout.odoo_data),
            "admin_passwd": admin_passwd,
            "db_password": db_password,
            # Read by the l10n_cr_einvoice addon.
            "l10n_cr_einvoice_schema_dir": schema_dir,
            "l10n_cr_einvoice_metrics_token_file": str(layout.secret("metrics-token")),
        }
    )
    lines = [
        "; Rendered by scripts/stack from stack/settings.toml -- edit that file, not this one.",
        "[options]",
    ]
    lines += [f"{key} = {_value(options[key])}" for key in sorted(options)]
    return "\n".join(lines) + "\n"
