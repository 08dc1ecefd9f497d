from . import l10n_cr_einvoice_monthly_report
