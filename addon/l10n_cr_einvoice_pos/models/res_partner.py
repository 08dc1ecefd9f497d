from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = 'res.partner'

    l10n_cr_id_type_code = fields.Char(related='l10n_cr_id_type_id.code', string='Identification type code')

    @api.model
    def _load_pos_data_fields(self, config):
        fields_list = super()._load_pos_data_fields(config)
        if config.l10n_cr_enabled:
            fields_list += ['l10n_cr_id_type_code']
        return fields_list

    @api.model
    def l10n_cr_pos_find_partner(self, config_id, id_type, number):
        """For the till's identification dialog: the customer with this identification, as POS data."""
        config = self.env['pos.config'].browse(config_id)
        partner = self._l10n_cr_find_by_identification(id_type, number, config.company_id)
        return {'res.partner': self._load_pos_data_read(partner, config) if partner else []}
