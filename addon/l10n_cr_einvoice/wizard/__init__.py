
from . import cabys_import, cabys_search, received_decision, received_upload
