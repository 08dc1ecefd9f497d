"""1.2: the company's alert settings take the one prefix `l10n_cr_`, and the fields this module adds to
the e-invoice document, a model of the family, lose theirs, like every field of the family's own
models (docs/architecture.md, "Names"). Values and field ids move with them."""

from odoo.addons.l10n_cr_einvoice.upgrade_renames import rename_fields

# The model declaring each field; its records on the models that show it too (settings,
# `_inherits`) follow (upgrade_renames.py).
RENAMES = [
    ('l10n_cr.einvoice.document', 'l10n_cr_needs_correction', 'needs_correction'),
    ('l10n_cr.einvoice.document', 'l10n_cr_rejected_alerted', 'rejected_alerted'),
    ('l10n_cr.einvoice.document', 'l10n_cr_stuck', 'stuck'),
    ('l10n_cr.einvoice.document', 'l10n_cr_stuck_alerted', 'stuck_alerted'),
    ('res.company', 'l10n_cr_einvoice_alert_certificate_days', 'l10n_cr_alert_certificate_days'),
    ('res.company', 'l10n_cr_einvoice_alert_rejected_hours', 'l10n_cr_alert_rejected_hours'),
    ('res.company', 'l10n_cr_einvoice_alert_unsent_hours', 'l10n_cr_alert_unsent_hours'),
    ('res.company', 'l10n_cr_einvoice_alert_user_id', 'l10n_cr_alert_user_id'),
    ('res.company', 'l10n_cr_einvoice_certificate_alerted', 'l10n_cr_certificate_alerted'),
]


# Methods the views call (buttons), renamed in the module's views still in the database.
METHODS = [
    ('action_export_xlsx', 'action_l10n_cr_export_xlsx'),
    ('action_open_document', 'action_l10n_cr_open_document'),
    ('action_print_pdf', 'action_l10n_cr_print_pdf'),
]


def migrate(cr, version):
    if not version:
        return
    rename_fields(cr, 'l10n_cr_einvoice_analytics', RENAMES, METHODS)
