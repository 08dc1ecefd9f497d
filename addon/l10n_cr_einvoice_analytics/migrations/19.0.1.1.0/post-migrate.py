"""1.1: the dashboard's graph and pivots, the declared-taxes pivot and /metrics read monthly
summaries kept up to date by triggers (models/l10n_cr_einvoice_summary.py); they are counted once here from
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
    # Statistics of the new column and indexes now, not at autovacuum's next pass: until then
    # PostgreSQL would plan the "needs attention" list as if half the documents needed it.
    cr.execute("ANALYZE l10n_cr_einvoice_document")
