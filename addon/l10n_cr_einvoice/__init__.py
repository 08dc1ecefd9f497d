
from . import models, wizard
from .hooks import _l10n_cr_einvoice_post_init
