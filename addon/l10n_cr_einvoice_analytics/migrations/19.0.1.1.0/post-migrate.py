"""1.1: the dashboard's graph and pivots, the declared-taxes pivot and /metrics read per-day
summaries kept up to date by triggers (models/summary.py); they are counted once here from
every document and declared tax there is."""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for summary in env['l10n_cr.einvoice.summary']._l10n_cr_summary_models():
        combinations = summary._l10n_cr_rebuild()
        _logger.info("%s: %s combinations counted", summary._name, combinations)
