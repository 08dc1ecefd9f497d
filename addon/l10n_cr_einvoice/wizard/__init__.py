
from . import account_move_reversal, cabys_import, cabys_search, received_decision, received_upload
