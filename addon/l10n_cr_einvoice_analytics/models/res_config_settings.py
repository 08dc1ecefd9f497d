from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    l10n_cr_alert_unsent_hours = fields.Integer(
        related='company_id.l10n_cr_alert_unsent_hours', readonly=False)
    l10n_cr_alert_rejected_hours = fields.Integer(
        related='company_id.l10n_cr_alert_rejected_hours', readonly=False)
    l10n_cr_alert_certificate_days = fields.Integer(
        related='company_id.l10n_cr_alert_certificate_days', readonly=False)
    l10n_cr_alert_user_id = fields.Many2one(
        related='company_id.l10n_cr_alert_user_id', readonly=False)
