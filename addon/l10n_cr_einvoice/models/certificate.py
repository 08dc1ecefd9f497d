import base64

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from hacienda_cr.errors import InputError
from hacienda_cr.signing import SigningKey

from ..hacienda import key_text


class CertificateCertificate(models.Model):
    _inherit = 'certificate.certificate'

    scope = fields.Selection(
        selection_add=[('l10n_cr_einvoice', 'Costa Rica electronic invoicing')],
        ondelete={'l10n_cr_einvoice': 'set null'},
    )

    def _l10n_cr_load_key(self):
        """The SigningKey of this certificate: its .p12 opened with its PIN, or its PEM certificate
        with its private key. InputError (with the library's issue codes) when it does not open."""
        self.ensure_one()
        certificate = self.sudo()
        content = certificate.with_context(bin_size=False).content
        raw = base64.b64decode(content) if content else b''
        if certificate.content_format == 'pkcs12' or not certificate.private_key_id:
            return SigningKey.from_pkcs12(raw, certificate.pkcs12_password or '')
        key = certificate.private_key_id
        key_pem = base64.b64decode(key.with_context(bin_size=False).pem_key or b'')
        cert_pem = base64.b64decode(certificate.with_context(bin_size=False).pem_certificate or b'')
        return SigningKey.from_pem(key_pem, cert_pem, key.password or None)

    @api.constrains('content', 'pkcs12_password', 'scope')
    def _check_l10n_cr_key(self):
        """A Hacienda signing certificate is checked when it is saved: a wrong PIN or a file that is
        not a usable .p12 is refused there, not found out when the first invoice is signed."""
        for certificate in self.filtered(lambda c: c.scope == 'l10n_cr_einvoice'):
            key = None
            try:
                key = certificate._l10n_cr_load_key()
                key.check_usable()
            except InputError as exc:
                raise ValidationError(self.env._(
                    "This signing certificate cannot be used: %s.",
                    key_text.describe_key_problem(self.env, exc, key))) from None


class CertificateKey(models.Model):
    _inherit = 'certificate.key'

    # What the accounting administrators' record rule looks at: they see the keys of the Hacienda
    # signing certificates only, never other modules' private keys.
    l10n_cr_certificate_ids = fields.One2many(
        'certificate.certificate', 'private_key_id', string='Certificates using this key')
