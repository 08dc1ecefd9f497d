from odoo import fields, models


class CertificateCertificate(models.Model):
    _inherit = 'certificate.certificate'

    scope = fields.Selection(
        selection_add=[('l10n_cr_einvoice', 'Costa Rica electronic invoicing')],
        ondelete={'l10n_cr_einvoice': 'set null'},
    )
