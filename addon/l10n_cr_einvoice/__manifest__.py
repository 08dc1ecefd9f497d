
{
    'name': 'Costa Rica - Electronic Invoicing (Hacienda v4.4)',
    'version': '19.0.1.5.0',
    'category': 'Accounting/Localizations/EDI',
    'summary': "Sign, send and follow Hacienda's electronic documents (v4.4) from invoices, "
               "credit and debit notes, purchase invoices and payments",
    'author': 'l10n-cr-einvoice contributors',
    'license': 'LGPL-3',
    'depends': [
        'l10n_cr',
        'account_debit_note',
        'certificate',
    ],
    'external_dependencies': {
        'python': ['hacienda-cr'],
    },
    'data': [
        'security/l10n_cr_einvoice_security.xml',
        'security/ir.model.access.csv',
        'data/l10n_cr_einvoice_code_data.xml',
        'data/l10n_cr_economic_activity_data.xml',
        'data/uom_data.xml',
        'data/ir_cron.xml',
        'data/public_data_cron.xml',
        'data/mail_template.xml',
        'views/l10n_cr_einvoice_code_views.xml',
        'views/l10n_cr_einvoice_document_views.xml',
        'wizard/received_views.xml',
        'views/l10n_cr_einvoice_received_views.xml',
        'views/l10n_cr_einvoice_numbering_views.xml',
        'views/l10n_cr_exoneration_views.xml',
        'wizard/cabys_import_views.xml',
        'views/public_data_views.xml',
        'views/res_config_settings_views.xml',
        'views/res_partner_views.xml',
        'views/product_views.xml',
        'views/account_tax_views.xml',
        'views/account_journal_views.xml',
        'views/account_payment_term_views.xml',
        'views/account_move_views.xml',
        'views/account_move_received_views.xml',
        'views/uom_views.xml',
        'views/menus.xml',
        'report/report_invoice.xml',
    ],
    'assets': {
        'web.assets_backend': [
            'l10n_cr_einvoice/static/src/**/*',
        ],
        'web.assets_tests': [
            'l10n_cr_einvoice/static/tests/tours/*.js',
        ],
    },
    'post_init_hook': '_l10n_cr_einvoice_post_init',
    # Server-wide only (server_wide_modules): see server_wide.py.
    'post_load': '_l10n_cr_einvoice_post_load',
}
