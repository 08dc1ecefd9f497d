CODE_FIELDS = ('l10n_cr_tax_code_id', 'l10n_cr_iva_rate_code_id', 'l10n_cr_exonerated')


def _l10n_cr_einvoice_post_init(env):
    """Give the Costa Rican companies that already exist the Hacienda codes of their taxes and
    the taxes they lack (reduced, zero, exempt, exonerated VAT)."""
    for company in env['res.company'].search([('chart_template', '=', 'cr')]):
        template = env['account.chart.template'].with_company(company)
        groups, taxes = {}, {}
        for xmlid, values in template._get_l10n_cr_account_tax_group().items():
            if not template.ref(xmlid, raise_if_not_found=False):
                groups[xmlid] = values
        for xmlid, values in template._get_l10n_cr_account_tax().items():
            if template.ref(xmlid, raise_if_not_found=False):
                # An existing tax only gets its codes: its definition (repartition lines…) stays.
                taxes[xmlid] = {k: v for k, v in values.items() if k in CODE_FIELDS}
            elif 'amount_type' in values:
                taxes[xmlid] = values
        template._load_data({'account.tax.group': groups, 'account.tax': taxes})
