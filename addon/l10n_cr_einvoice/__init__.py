
from . import models, wizard
from .hooks import _l10n_cr_einvoice_post_init
from .server_wide import post_load as _l10n_cr_einvoice_post_load
