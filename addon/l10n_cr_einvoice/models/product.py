from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = 'product.template'

    l10n_cr_cabys_id = fields.Many2one(
        'l10n_cr.cabys', string='CABYS code',
        help='Code of the good or service in the CABYS catalogue (13 digits); required on every '
             'line of an electronic document. Import the catalogue in Accounting › Configuration.',
    )
    l10n_cr_unit_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Hacienda unit',
        domain=[('list_name', '=', 'units')],
        help='UnidadMedida for this product. Empty: the unit of measure\'s Hacienda unit.',
    )


class UomUom(models.Model):
    _inherit = 'uom.uom'

    l10n_cr_unit_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Hacienda unit',
        domain=[('list_name', '=', 'units')],
        help='UnidadMedida written for this unit of measure.',
    )
