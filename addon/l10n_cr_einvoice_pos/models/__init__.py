
from . import (
    account_move,
    l10n_cr_einvoice_document,
    pos_config,
    pos_order,
    pos_payment_method,
    pos_session,
    res_config_settings,
    res_partner,
)
