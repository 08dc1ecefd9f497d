"""1.2: the POS fields on Odoo's models take the one prefix `l10n_cr_` (docs/architecture.md, "Names");
values, field ids and the mail template's text move with them."""

from odoo.addons.l10n_cr_einvoice.upgrade_renames import rename_fields

# The model declaring each field; its records on the models that show it too (settings,
# `_inherits`) follow (upgrade_renames.py).
RENAMES = [
    ('pos.config', 'l10n_cr_einvoice_enabled', 'l10n_cr_enabled'),
    ('pos.order', 'l10n_cr_einvoice_clave', 'l10n_cr_clave'),
    ('pos.order', 'l10n_cr_einvoice_consecutivo', 'l10n_cr_consecutivo'),
    ('pos.order', 'l10n_cr_einvoice_document_id', 'l10n_cr_document_id'),
    ('pos.order', 'l10n_cr_einvoice_document_ids', 'l10n_cr_document_ids'),
    ('pos.order', 'l10n_cr_einvoice_document_type', 'l10n_cr_document_type'),
    ('pos.order', 'l10n_cr_einvoice_issue_error', 'l10n_cr_issue_error'),
    ('pos.order', 'l10n_cr_einvoice_problem', 'l10n_cr_problem'),
    ('pos.order', 'l10n_cr_einvoice_state', 'l10n_cr_state'),
    ('pos.session', 'l10n_cr_einvoice_pending_count', 'l10n_cr_pending_count'),
    ('res.config.settings', 'pos_l10n_cr_einvoice_enabled', 'pos_l10n_cr_enabled'),
]


# Methods the views call (buttons), renamed in the module's views still in the database.
METHODS = [
    ('action_l10n_cr_einvoice_documents', 'action_l10n_cr_documents'),
    ('action_l10n_cr_einvoice_issue', 'action_l10n_cr_issue'),
    ('action_l10n_cr_einvoice_orders', 'action_l10n_cr_orders'),
    ('action_l10n_cr_einvoice_retry', 'action_l10n_cr_retry'),
    ('action_l10n_cr_einvoice_send_now', 'action_l10n_cr_send_now'),
    ('l10n_cr_einvoice_send_from_pos', 'l10n_cr_send_from_pos'),
]


def migrate(cr, version):
    if not version:
        return
    rename_fields(cr, 'l10n_cr_einvoice_pos', RENAMES, METHODS)
