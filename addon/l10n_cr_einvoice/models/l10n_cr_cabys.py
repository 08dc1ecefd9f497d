import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

CABYS_CODE = re.compile(r'\d{13}')


class L10nCrCabys(models.Model):
    """The CABYS catalogue (Catálogo de Bienes y Servicios) as imported from the BCCR's
    spreadsheet; not shipped as data: users import the current file themselves."""

    _name = 'l10n_cr.cabys'
    _description = 'CABYS code'
    _order = 'code'
    _rec_names_search = ['code', 'name']

    code = fields.Char(required=True, index=True)
    name = fields.Char(string='Description', required=True)
    tax_rate = fields.Float(
        string='VAT rate (%)',
        help='VAT rate the catalogue states for this code; empty for exempt codes.',
    )
    tax_label = fields.Char(string='VAT in the catalogue', help='The catalogue\'s own wording: 13%, 1%, Exento…')
    category = fields.Char(help='The code\'s section and division in the catalogue.')
    active = fields.Boolean(default=True)

    _code_uniq = models.Constraint('UNIQUE(code)', 'A CABYS code must be unique.')

    @api.constrains('code')
    def _check_code(self):
        for cabys in self:
            if not CABYS_CODE.fullmatch(cabys.code or ''):
                raise ValidationError(self.env._("A CABYS code has 13 digits; %s does not.", cabys.code))

    @api.depends('code', 'name')
    def _compute_display_name(self):
        for cabys in self:
            cabys.display_name = f"{cabys.code} - {cabys.name}"

    def _l10n_cr_is_service(self):
        """CABYS sections 5 to 9 are services."""
        self.ensure_one()
        return self.code[:1] in '56789'
