import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# What the v4.4 XSD (six characters) and Hacienda accept: the CAECR form 0000.0 that
# TRIBU-CR uses, or the six digits of the former catalogue.
ACTIVITY_CODE = re.compile(r'\d{4}\.\d|\d{6}')


class L10nCrEconomicActivity(models.Model):
    _name = 'l10n_cr.economic.activity'
    _description = 'Economic activity (Hacienda)'
    _order = 'code'
    _rec_names_search = ['code', 'name', 'legacy_codes']

    code = fields.Char(
        required=True,
        help='The code written in CodigoActividadEmisor / CodigoActividadReceptor: the CAECR '
             'code (0000.0) registered with Hacienda.',
    )
    name = fields.Char(required=True)
    legacy_codes = fields.Char(
        string='Former codes',
        help='Six-digit codes of the former activity catalogue that correspond to this activity.',
    )
    description = fields.Text()
    active = fields.Boolean(default=True)

    _code_uniq = models.Constraint('UNIQUE(code)', 'An economic activity code must be unique.')

    @api.constrains('code')
    def _check_code(self):
        for activity in self:
            if not ACTIVITY_CODE.fullmatch(activity.code or ''):
                raise ValidationError(self.env._(
                    "The activity code %(code)s is not valid: use the CAECR form 0000.0 "
                    "(four digits, a dot, one digit) or six digits.", code=activity.code))

    @api.depends('code', 'name')
    def _compute_display_name(self):
        for activity in self:
            activity.display_name = f"{activity.code} - {activity.name}"
