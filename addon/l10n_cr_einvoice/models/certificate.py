from odoo import fields, models


class CertificateCertificate(models.Model):
    _inherit = 'certificate.certificate'

    scope = fields.Selection(
        selection_add=[('l10n_cr_einvoice', 'Costa Rica electronic invoicing')],
        ondelete={'l10n_cr_einvoice': 'set null'},
    )


class CertificateKey(models.Model):
    _inherit = 'certificate.key'

    # What the accounting administrators' record rule looks at: they see the keys of the Hacienda
    # signing certificates only, never other modules' private keys.
    l10n_cr_einvoice_certificate_ids = fields.One2many(
        'certificate.certificate', 'private_key_id', string='Certificates using this key')
