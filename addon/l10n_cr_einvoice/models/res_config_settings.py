from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    l10n_cr_enabled = fields.Boolean(related='company_id.l10n_cr_enabled', readonly=False)
    l10n_cr_environment = fields.Selection(
        related='company_id.l10n_cr_environment', readonly=False)
    l10n_cr_api_url = fields.Char(
        related='company_id.l10n_cr_api_url', readonly=False, groups='account.group_account_manager')
    l10n_cr_idp_url = fields.Char(
        related='company_id.l10n_cr_idp_url', readonly=False, groups='account.group_account_manager')
    l10n_cr_username = fields.Char(
        related='company_id.l10n_cr_username', readonly=False, groups='account.group_account_manager')
    l10n_cr_password = fields.Char(
        related='company_id.l10n_cr_password', readonly=False, groups='account.group_account_manager')
    l10n_cr_certificate_id = fields.Many2one(
        related='company_id.l10n_cr_certificate_id', readonly=False,
        groups='account.group_account_manager')
    l10n_cr_id_type_id = fields.Many2one(related='company_id.l10n_cr_id_type_id', readonly=False)
    l10n_cr_activity_id = fields.Many2one(related='company_id.l10n_cr_activity_id', readonly=False)
    l10n_cr_provider_id = fields.Char(related='company_id.l10n_cr_provider_id', readonly=False)
    l10n_cr_commercial_name = fields.Char(
        related='company_id.l10n_cr_commercial_name', readonly=False)
    l10n_cr_email = fields.Char(related='company_id.l10n_cr_email', readonly=False)
    l10n_cr_schema_set = fields.Selection(related='company_id.l10n_cr_schema_set', readonly=False)
    l10n_cr_auto_email = fields.Boolean(related='company_id.l10n_cr_auto_email', readonly=False)
    l10n_cr_payment_method_id = fields.Many2one(
        related='company_id.l10n_cr_payment_method_id', readonly=False)
    l10n_cr_discount_code_id = fields.Many2one(
        related='company_id.l10n_cr_discount_code_id', readonly=False)
    l10n_cr_discount_nature = fields.Char(
        related='company_id.l10n_cr_discount_nature', readonly=False)
    l10n_cr_canton_code = fields.Char(related='company_id.l10n_cr_canton_code', readonly=False)
    l10n_cr_district_code = fields.Char(related='company_id.l10n_cr_district_code', readonly=False)
    l10n_cr_neighborhood = fields.Char(related='company_id.l10n_cr_neighborhood', readonly=False)

    def action_l10n_cr_test_connection(self):
        self.execute()  # save first: the test uses what the user just typed
        return self.company_id.action_l10n_cr_test_connection()
