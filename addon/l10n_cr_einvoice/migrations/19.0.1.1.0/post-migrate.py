"""1.1: Costa Rican companies that already exist get the purchase taxes (4, 2, 1, 0 %, exempt)
supplier documents are booked with, as a fresh install gives them."""

from odoo import SUPERUSER_ID, api
from odoo.addons.l10n_cr_einvoice.hooks import _l10n_cr_einvoice_post_init


def migrate(cr, version):
    if not version:
        return
    _l10n_cr_einvoice_post_init(api.Environment(cr, SUPERUSER_ID, {}))
