def _l10n_cr_einvoice_analytics_post_init(env):
    """Documents Hacienda accepted before this module was installed get their declared amounts
    and tax breakdown from their signed XML, as if they had been accepted now; then the
    summaries count every document there is."""
    env['l10n_cr.einvoice.document']._l10n_cr_analytics_backfill()
    for summary in env['l10n_cr.einvoice.summary']._l10n_cr_summary_models():
        summary._l10n_cr_rebuild()


def _l10n_cr_einvoice_analytics_uninstall(env):
    """The summaries' triggers live on the documents' table, which stays: they go first."""
    for summary in env['l10n_cr.einvoice.summary']._l10n_cr_summary_models():
        summary._l10n_cr_drop()
