def _l10n_cr_einvoice_analytics_post_init(env):
    """Documents Hacienda accepted before this module was installed get their declared amounts
    and tax breakdown from their signed XML, as if they had been accepted now."""
    env['l10n_cr.einvoice.document']._l10n_cr_analytics_backfill()
