"""The plain-host staging stack: what `scripts/stack` and `scripts/stack-seed` run.

Settings come from `stack/settings.toml`, resolved by `stack/stackconf.py` (`load()`);
nothing here hard-codes a port. Modules used by `scripts/stack-seed` (odoo_rpc, seed_*,
certificate, seed_env) use the standard library only: the NixOS seeding hook runs them
with a plain python3.
"""
