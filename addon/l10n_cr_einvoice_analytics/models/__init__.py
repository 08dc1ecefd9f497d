from . import (
    einvoice_analysis,
    einvoice_document,
    einvoice_metrics,
    hacienda_call,
    res_company,
    res_config_settings,
    summarised,
    summary,
    tax_breakdown,
)
