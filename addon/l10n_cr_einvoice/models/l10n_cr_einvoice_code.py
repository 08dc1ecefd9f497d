from odoo import api, fields, models, tools

# The lists shipped as data (see tools/gen_addon_codes.py, which writes the records from the
# library's code lists, themselves generated from Hacienda's XSD enumerations).
CODE_LISTS = [
    ('identification_types', 'Identification type'),
    ('sale_conditions', 'Sale condition'),
    ('payment_methods', 'Payment method'),
    ('tax_codes', 'Tax code'),
    ('iva_rate_codes', 'VAT rate code'),
    ('discount_codes', 'Discount code'),
    ('exemption_types', 'Exoneration document type'),
    ('exemption_institutions', 'Exonerating institution'),
    ('units', 'Unit of measure'),
    ('reference_document_types', 'Reference document type'),
    ('reference_codes', 'Reference code'),
    ('other_charge_types', 'Other charge type'),
    ('transaction_types', 'Transaction type'),
    ('commercial_code_types', 'Commercial code type'),
]


class L10nCrEinvoiceCode(models.Model):
    _name = 'l10n_cr.einvoice.code'
    _description = 'Hacienda code'
    _order = 'list_name, sequence, code'
    _rec_names_search = ['code', 'name']

    list_name = fields.Selection(CODE_LISTS, string='List', required=True, index=True)
    code = fields.Char(required=True)
    # Hacienda's own (Spanish) wording, as the XSD documents it: not translated.
    name = fields.Char(string='Description', required=True)
    sequence = fields.Integer(default=10)
    since_2026 = fields.Boolean(
        string='Only from the 2026 revision',
        help='This code exists only in the v4.4 revision of 2026 (schema set v4.4-2026).',
    )
    active = fields.Boolean(default=True)

    _code_uniq = models.Constraint('UNIQUE(list_name, code)', 'A code appears only once in each list.')

    @api.depends('code', 'name')
    def _compute_display_name(self):
        for record in self:
            record.display_name = f"{record.code} - {record.name}" if record.code else record.name

    @api.model
    def _l10n_cr_get(self, list_name, code):
        """The record of ``code`` in ``list_name`` (empty when unknown)."""
        return self.browse(self._l10n_cr_get_id(list_name, code))

    @api.model
    @tools.ormcache('list_name', 'code')
    def _l10n_cr_get_id(self, list_name, code):
        record = self.with_context(active_test=False).search(
            [('list_name', '=', list_name), ('code', '=', code)], limit=1)
        return record.id or None

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if {'list_name', 'code'} & set(vals):
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
