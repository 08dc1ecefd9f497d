
from . import (
    account_move_reversal,
    l10n_cr_cabys_import,
    l10n_cr_cabys_search,
    l10n_cr_einvoice_received_decision,
    l10n_cr_einvoice_received_upload,
)
