
{
    'name': 'Costa Rica - Electronic Invoicing in the Point of Sale',
    'version': '19.0.1.2.0',
    'category': 'Accounting/Localizations/Point of Sale',
    'summary': 'Tiquete, Factura and Nota de Crédito Electrónica (Hacienda v4.4) for every paid POS order',
    'author': 'l10n-cr-einvoice contributors',
    'license': 'LGPL-3',
    'depends': [
        'l10n_cr_einvoice',
        'point_of_sale',
    ],
    'data': [
        'security/ir.model.access.csv',
        'data/mail_template.xml',
        'views/l10n_cr_einvoice_document_views.xml',
        'views/pos_order_views.xml',
        'views/pos_session_views.xml',
        'views/pos_payment_method_views.xml',
        'views/res_config_settings_views.xml',
    ],
    'assets': {
        'point_of_sale._assets_pos': [
            'l10n_cr_einvoice_pos/static/src/**/*',
        ],
        'web.assets_tests': [
            'l10n_cr_einvoice_pos/static/tests/tours/**/*',
        ],
    },
    'auto_install': True,
}
