def _l10n_cr_einvoice_post_init(env):
    """Give the Costa Rican companies that already exist the Hacienda codes of their taxes and
    the additional taxes (reduced, zero, exempt, exonerated VAT)."""
    for company in env['res.company'].search([('chart_template', '=', 'cr')]):
        template = env['account.chart.template'].with_company(company)
        template._load_data({
            'account.tax.group': template._get_cr_einvoice_account_tax_group(),
            'account.tax': {
                xmlid: values
                for xmlid, values in template._get_cr_einvoice_account_tax().items()
                # codes for the chart's own taxes only if the company still has them
                if 'amount_type' in values or template.ref(xmlid, raise_if_not_found=False)
            },
        })
