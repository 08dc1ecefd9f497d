from . import controllers, models, report, wizard
from .hooks import _l10n_cr_einvoice_analytics_post_init, _l10n_cr_einvoice_analytics_uninstall
