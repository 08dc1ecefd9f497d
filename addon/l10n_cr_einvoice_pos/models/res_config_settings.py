from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    pos_l10n_cr_establishment = fields.Integer(related='pos_config_id.l10n_cr_establishment', readonly=False)
    pos_l10n_cr_terminal = fields.Integer(related='pos_config_id.l10n_cr_terminal', readonly=False)
    pos_l10n_cr_offline_delay = fields.Integer(related='pos_config_id.l10n_cr_offline_delay', readonly=False)
    pos_l10n_cr_enabled = fields.Boolean(
        related='pos_config_id.l10n_cr_enabled', string='Point of sale issues electronic documents')
