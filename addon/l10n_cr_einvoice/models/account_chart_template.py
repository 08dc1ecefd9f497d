from odoo import models
from odoo.addons.account.models.chart_template import template

# The two taxes of l10n_cr's chart, with their Hacienda codes.
EXISTING_TAX_CODES = {
    'account_tax_template_IV_0': ('01', '08'),
    'account_tax_template_IV_1': ('01', '08'),
}


class AccountChartTemplate(models.AbstractModel):
    _inherit = 'account.chart.template'

    @template('cr', 'account.tax.group')
    def _get_l10n_cr_account_tax_group(self):
        return self._parse_csv('cr', 'account.tax.group', module='l10n_cr_einvoice')

    @template('cr', 'account.tax')
    def _get_l10n_cr_account_tax(self):
        data = self._parse_csv('cr', 'account.tax', module='l10n_cr_einvoice')
        for xmlid, (tax_code, rate_code) in EXISTING_TAX_CODES.items():
            data.setdefault(xmlid, {}).update({
                'l10n_cr_tax_code_id': f'l10n_cr_einvoice.code_tax_codes_{tax_code}',
                'l10n_cr_iva_rate_code_id': f'l10n_cr_einvoice.code_iva_rate_codes_{rate_code}',
            })
        return data
