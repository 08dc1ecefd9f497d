from . import (
    l10n_cr_einvoice_analysis,
    l10n_cr_einvoice_document,
    l10n_cr_einvoice_hacienda_call,
    l10n_cr_einvoice_metrics,
    l10n_cr_einvoice_summarised,
    l10n_cr_einvoice_summary,
    l10n_cr_einvoice_tax_breakdown,
    res_company,
    res_config_settings,
)
