import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = 'product.template'

    l10n_cr_cabys_id = fields.Many2one(
        'l10n_cr.cabys', string='CABYS code',
        help='Code of the good or service in the CABYS catalogue (13 digits); required on every '
             'line of an electronic document. An accounting administrator imports the catalogue in '
             'Invoicing › Configuration › Costa Rica e-invoicing.',
    )
    l10n_cr_unit_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Hacienda unit',
        domain=[('list_name', '=', 'units')],
        help='UnidadMedida for this product. Empty: the unit of measure\'s Hacienda unit.',
    )
    l10n_cr_tariff_heading = fields.Char(
        string='Tariff heading', size=12,
        help='PartidaArancelaria: the 12-digit tariff heading of these goods, which export invoices state '
             '(Hacienda requires it for goods).',
    )
    l10n_cr_other_charge_type_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Other charge type',
        domain=[('list_name', '=', 'other_charge_types')],
        help='Invoice lines of this product are written as an OtrosCargos element of this type instead of a '
             'LineaDetalle: e.g. 06 the 10% service charge, 04 an amount collected for a third party. They '
             'carry no tax and need no CABYS code.',
    )
    l10n_cr_third_party_id = fields.Many2one(
        'res.partner', string='Third party',
        help='For an other charge of type 04 (collected for a third party): whose identification and name are '
             'written in the document.',
    )


    @api.constrains('l10n_cr_tariff_heading')
    def _check_l10n_cr_tariff_heading(self):
        for product in self:
            if product.l10n_cr_tariff_heading and not re.fullmatch(r'\d{12}', product.l10n_cr_tariff_heading):
                raise ValidationError(self.env._("The tariff heading has 12 digits, without dots or spaces."))


class UomUom(models.Model):
    _inherit = 'uom.uom'

    l10n_cr_unit_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Hacienda unit',
        domain=[('list_name', '=', 'units')],
        help='UnidadMedida written for this unit of measure.',
    )
