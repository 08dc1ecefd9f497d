"""Hacienda's public data services for the addon: one client per public API address, kept
for the process (its cache and remembered outages serve every company and worker thread),
and the failures said in a user's words.

Every caller treats a failure the same way: carry on with what is stored and say so.
"""

from odoo.tools.translate import LazyTranslate

from hacienda_cr.public_data import LookupSettings, PublicDataClient

from . import client_cache

_lt = LazyTranslate(__name__)

# Interactive lookups (a form, a button, posting) wait a little; the daily cron longer.
INTERACTIVE = LookupSettings(connect_timeout=3.0, read_timeout=5.0)
SLOT = 'l10n_cr_einvoice public data'

SERVICES = {
    'taxpayer': _lt("Hacienda's taxpayer register"),
    'exchange-rate': _lt("Hacienda's exchange rate service"),
    'cabys': _lt("Hacienda's CABYS catalogue"),
    'exoneration': _lt("Hacienda's exoneration service"),
}
KINDS = {
    'down': _lt("%(service)s could not be reached"),
    'slow': _lt("%(service)s did not answer in time"),
    'malformed': _lt("%(service)s gave an answer that cannot be read"),
}


def client(base_url, user_agent='odoo-l10n_cr_einvoice'):
    """The shared client for ``base_url``."""
    fingerprint = client_cache.fingerprint(base_url, INTERACTIVE, user_agent)
    return client_cache.client(SLOT, base_url, fingerprint,
                               lambda: PublicDataClient(base_url, INTERACTIVE, user_agent=user_agent))


def failure_text(env, exc):
    """What went wrong with a lookup, in the user's language (the technical reason stays in
    the server log)."""
    service = SERVICES.get(getattr(exc, 'service', ''), SERVICES['taxpayer'])
    kind = KINDS.get(getattr(exc, 'kind', ''), KINDS['down'])
    text = env._(kind) % {'service': env._(service)}
    return text[:1].upper() + text[1:]
