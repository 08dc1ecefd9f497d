"""1.5: one prefix for the names this module adds to Odoo's models — `l10n_cr_` (docs/architecture.md,
"Names"); `l10n_cr_einvoice_` stays the modules' and the metrics' name. Values, field ids and the
text naming the fields in noupdate records move with them (upgrade_renames.py)."""

from odoo.addons.l10n_cr_einvoice.upgrade_renames import rename_fields

# The model declaring each field; its records on the models that show it too (settings,
# `_inherits`) follow (upgrade_renames.py).
RENAMES = [
    ('account.move', 'l10n_cr_einvoice_clave', 'l10n_cr_clave'),
    ('account.move', 'l10n_cr_einvoice_consecutivo', 'l10n_cr_consecutivo'),
    ('account.move', 'l10n_cr_einvoice_document_id', 'l10n_cr_document_id'),
    ('account.move', 'l10n_cr_einvoice_document_ids', 'l10n_cr_document_ids'),
    ('account.move', 'l10n_cr_einvoice_document_type', 'l10n_cr_document_type'),
    ('account.move', 'l10n_cr_einvoice_error', 'l10n_cr_error'),
    ('account.move', 'l10n_cr_einvoice_received_decision', 'l10n_cr_received_decision'),
    ('account.move', 'l10n_cr_einvoice_received_id', 'l10n_cr_received_id'),
    ('account.move', 'l10n_cr_einvoice_received_ids', 'l10n_cr_received_ids'),
    ('account.move', 'l10n_cr_einvoice_required', 'l10n_cr_required'),
    ('account.move', 'l10n_cr_einvoice_state', 'l10n_cr_state'),
    ('certificate.key', 'l10n_cr_einvoice_certificate_ids', 'l10n_cr_certificate_ids'),
    ('res.company', 'l10n_cr_einvoice_activity_id', 'l10n_cr_activity_id'),
    ('res.company', 'l10n_cr_einvoice_api_url', 'l10n_cr_api_url'),
    ('res.company', 'l10n_cr_einvoice_auto_email', 'l10n_cr_auto_email'),
    ('res.company', 'l10n_cr_einvoice_certificate_id', 'l10n_cr_certificate_id'),
    ('res.company', 'l10n_cr_einvoice_commercial_name', 'l10n_cr_commercial_name'),
    ('res.company', 'l10n_cr_einvoice_discount_code_id', 'l10n_cr_discount_code_id'),
    ('res.company', 'l10n_cr_einvoice_discount_nature', 'l10n_cr_discount_nature'),
    ('res.company', 'l10n_cr_einvoice_email', 'l10n_cr_email'),
    ('res.company', 'l10n_cr_einvoice_enabled', 'l10n_cr_enabled'),
    ('res.company', 'l10n_cr_einvoice_environment', 'l10n_cr_environment'),
    ('res.company', 'l10n_cr_einvoice_id_type_id', 'l10n_cr_id_type_id'),
    ('res.company', 'l10n_cr_einvoice_idp_url', 'l10n_cr_idp_url'),
    ('res.company', 'l10n_cr_einvoice_password', 'l10n_cr_password'),
    ('res.company', 'l10n_cr_einvoice_payment_method_id', 'l10n_cr_payment_method_id'),
    ('res.company', 'l10n_cr_einvoice_provider_id', 'l10n_cr_provider_id'),
    ('res.company', 'l10n_cr_einvoice_public_api_url', 'l10n_cr_public_api_url'),
    ('res.company', 'l10n_cr_einvoice_schema_set', 'l10n_cr_schema_set'),
    ('res.company', 'l10n_cr_einvoice_username', 'l10n_cr_username'),
    ('res.partner', 'l10n_cr_einvoice_email_to', 'l10n_cr_email_to'),
    ('res.partner', 'l10n_cr_einvoice_emails', 'l10n_cr_emails'),
    ('res.partner', 'l10n_cr_einvoice_fec', 'l10n_cr_fec'),
]


# Methods the views call (buttons), renamed in the module's views still in the database.
METHODS = [
    ('action_choose', 'action_l10n_cr_choose'),
    ('action_confirm', 'action_l10n_cr_confirm'),
    ('action_import', 'action_l10n_cr_import'),
    ('action_l10n_cr_einvoice_check_status', 'action_l10n_cr_check_status'),
    ('action_l10n_cr_einvoice_documents', 'action_l10n_cr_documents'),
    ('action_l10n_cr_einvoice_issue_receipts', 'action_l10n_cr_issue_receipts'),
    ('action_l10n_cr_einvoice_received', 'action_l10n_cr_received'),
    ('action_l10n_cr_einvoice_send_now', 'action_l10n_cr_send_now'),
    ('action_l10n_cr_einvoice_test_connection', 'action_l10n_cr_test_connection'),
    ('action_l10n_cr_einvoice_validate', 'action_l10n_cr_validate'),
    ('action_open_bill', 'action_l10n_cr_open_bill'),
    ('action_search', 'action_l10n_cr_search'),
    ('l10n_cr_einvoice_set_certificate', 'l10n_cr_set_certificate'),
]


def migrate(cr, version):
    if not version:
        return
    rename_fields(cr, 'l10n_cr_einvoice', RENAMES, METHODS)
