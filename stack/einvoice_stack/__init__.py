"""The staging stack's Python, for both deployments: what `scripts/stack` and
`scripts/stack-seed` run on a plain host, and what the NixOS module runs (the SMTP sink,
the seed, the Odoo unit's first start, odoo.cfg's secrets).

Settings come from `stack/settings.toml`, resolved by `stackconf.load()`; nothing here
hard-codes a port. Standard library only, but for `smtp_sink` (aiosmtpd) and
`supervisor_ctl` (supervisor, plain host only).
"""
