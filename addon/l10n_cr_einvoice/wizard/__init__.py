
from . import cabys_import, received_decision, received_upload
