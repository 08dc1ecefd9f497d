# ruff: noqa: F401 - Odoo loads the modules by importing them
from . import models, wizard
from .hooks import _l10n_cr_einvoice_post_init
