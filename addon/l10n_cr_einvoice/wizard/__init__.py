
from . import cabys_import
