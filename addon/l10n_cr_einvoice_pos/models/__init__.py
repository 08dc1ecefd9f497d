
from . import (
    account_move,
    einvoice_document,
    pos_config,
    pos_order,
    pos_payment_method,
    pos_session,
    res_config_settings,
    res_partner,
)
