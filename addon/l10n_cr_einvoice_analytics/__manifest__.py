{
    'name': 'Costa Rica - E-invoicing analytics, reports and metrics',
    'version': '19.0.1.2.0',
    'category': 'Accounting/Localizations/Reporting',
    'summary': "Dashboard of Hacienda's electronic documents, monthly report per tax rate for the "
               "D-104, alerts on stuck documents and certificates, Prometheus /metrics",
    'author': 'l10n-cr-einvoice contributors',
    'license': 'LGPL-3',
    'depends': [
        'l10n_cr_einvoice',
    ],
    'external_dependencies': {
        'python': ['hacienda-cr', 'prometheus-client', 'xlsxwriter'],
    },
    'data': [
        'security/ir.model.access.csv',
        'security/l10n_cr_einvoice_analytics_security.xml',
        'data/ir_cron.xml',
        'views/einvoice_analysis_views.xml',
        'views/einvoice_document_views.xml',
        'views/tax_breakdown_views.xml',
        'views/res_config_settings_views.xml',
        'wizard/monthly_report_views.xml',
        'report/monthly_report.xml',
        'views/menus.xml',
    ],
    'assets': {
        'web.assets_tests': [
            'l10n_cr_einvoice_analytics/static/tests/tours/*.js',
        ],
    },
    'post_init_hook': '_l10n_cr_einvoice_analytics_post_init',
    'uninstall_hook': '_l10n_cr_einvoice_analytics_uninstall',
}
