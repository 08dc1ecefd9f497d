from odoo import fields, models
from odoo.exceptions import UserError

from hacienda_cr.errors import ConfigurationError
from hacienda_cr.public_data import public_api_url

from ..hacienda import public_data, server_settings


class ResCompany(models.Model):
    """Where the company looks up Hacienda's public data: configured like its reception API
    (the environment's address, the simulator's from odoo.conf, or an override)."""

    _inherit = 'res.company'

    l10n_cr_public_api_url = fields.Char(
        # Like the other Hacienda URLs: its answers decide documents' rates and exonerations.
        string='Public data API URL', groups='account.group_account_manager',
        help='Overrides where taxpayers, exchange rates, CABYS codes and exonerations are looked up. '
             'Leave empty for the usual one: https://api.hacienda.go.cr (the same for sandbox and '
             'production), the simulator in the simulator environment.',
    )

    def _l10n_cr_public_data(self):
        """The shared PublicDataClient for this company's environment (UserError on a bad URL)."""
        self.ensure_one()
        company = self.sudo()
        try:
            base = public_api_url(company.l10n_cr_environment or 'sandbox',
                                  company.l10n_cr_public_api_url or None, server_settings.simulator_url())
        except ConfigurationError as exc:
            raise UserError(self.env._(
                "The public data API of %(company)s is not configured correctly: %(reason)s",
                company=self.name, reason=str(exc))) from None
        return public_data.client(base)


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    l10n_cr_public_api_url = fields.Char(
        related='company_id.l10n_cr_public_api_url', readonly=False, groups='account.group_account_manager')
