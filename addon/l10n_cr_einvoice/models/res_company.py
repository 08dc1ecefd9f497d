import base64
import logging
import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from hacienda_cr import api as hacienda_api
from hacienda_cr.errors import ConfigurationError, InputError
from hacienda_cr.signing.trust import load_trusted

from ..hacienda import api_text, client_cache, key_cache, key_text, server_settings
from ..hacienda.key_text import CertificateProblem
from .document_types import MESSAGE_TYPES

_logger = logging.getLogger(__name__)

PROVIDER_ID = re.compile(r'\d{9,20}')
ENVIRONMENT_SELECTION = [
    ('simulator', 'Simulator (local, no tax effect)'),
    ('sandbox', 'Sandbox (Hacienda test environment)'),
    ('production', 'Production'),
]
SCHEMA_SET_SELECTION = [
    ('auto', 'By issue date'),
    ('v4.4', 'v4.4 (2024)'),
    ('v4.4-2026', 'v4.4 revision 2026'),
]
# Retries inside one call stay short: the queue backs off for longer outages itself, so a
# down Hacienda never keeps a cron worker sleeping.
CLIENT_RETRY = {'max_attempts': 2, 'base_delay': 0.5, 'multiplier': 2.0, 'max_delay': 2.0, 'max_retry_after': 5.0}


class ResCompany(models.Model):
    _inherit = 'res.company'

    l10n_cr_enabled = fields.Boolean(
        string='Issue electronic documents',
        help='Posting customer invoices, credit and debit notes (and purchase invoices of '
             'suppliers that are not registered) creates, signs and sends the Hacienda document.',
    )
    l10n_cr_environment = fields.Selection(
        ENVIRONMENT_SELECTION, string='Hacienda environment', required=True,
        default=lambda self: server_settings.default_environment(),
        help='Where the documents go: the local simulator (tests, no tax effect), Hacienda\'s sandbox '
             '(tests with Hacienda, no tax effect) or production (real documents, with tax effect). The API '
             'user and the certificate must be those of the same environment.',
    )
    # Where the API password and tokens are sent: administrators only, like the password.
    l10n_cr_api_url = fields.Char(
        string='Reception API URL', groups='account.group_account_manager',
        help='Overrides the environment\'s reception API (…/recepcion/v1/). Leave empty for the usual one.',
    )
    l10n_cr_idp_url = fields.Char(
        string='Token (IDP) URL', groups='account.group_account_manager',
        help='Overrides the environment\'s token server: its host, a realm URL or the token endpoint itself.',
    )
    l10n_cr_username = fields.Char(
        string='API user', groups='account.group_account_manager',
        help='The ATV / TRIBU-CR API user, e.g. cpj-3-101-123456@stag.comprobanteselectronicos.go.cr',
    )
    l10n_cr_password = fields.Char(
        string='API password', groups='account.group_account_manager', copy=False,
        help='The password of the API user, generated with it in ATV / TRIBU-CR (not the password of '
             'the taxpayer\'s own account).',
    )
    l10n_cr_certificate_id = fields.Many2one(
        'certificate.certificate', string='Signing certificate', groups='account.group_account_manager',
        domain="[('company_id', '=', id), ('scope', '=', 'l10n_cr_einvoice')]", copy=False,
        help='The taxpayer\'s cryptographic key (.p12) with its PIN, as issued by Hacienda.',
    )
    l10n_cr_id_type_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Identification type',
        domain=[('list_name', '=', 'identification_types')],
        help='Type of the company\'s identification (its number is the Tax ID).',
    )
    l10n_cr_activity_id = fields.Many2one(
        'l10n_cr.economic.activity', string='Economic activity',
        help='Activity registered with Hacienda, written as CodigoActividadEmisor.',
    )
    l10n_cr_provider_id = fields.Char(
        string='Systems provider ID',
        help='Identification number of the provider of the invoicing system (ProveedorSistemas). '
             'Empty: the company\'s own Tax ID (the system is run by the company itself).',
    )
    l10n_cr_commercial_name = fields.Char(
        string='Commercial name',
        help='The name the company trades under (NombreComercial), if it differs from its legal name.')
    l10n_cr_email = fields.Char(
        string='E-invoice e-mail',
        help='Address(es) written as the issuer\'s e-mail (up to 4, separated by commas). '
             'Empty: the company\'s e-mail.',
    )
    l10n_cr_schema_set = fields.Selection(
        SCHEMA_SET_SELECTION, string='Schema set', required=True,
        default=lambda self: server_settings.default_schema_setting(),
        help='By issue date: v4.4 (2024) until 2026-10-31, the 2026 revision from 2026-11-01.',
    )
    l10n_cr_auto_email = fields.Boolean(
        string='E-mail accepted documents', default=True,
        help='Once Hacienda accepts a document, e-mail the PDF, the signed XML and Hacienda\'s '
             'answer to the customer.',
    )
    l10n_cr_payment_method_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Default payment method',
        domain=[('list_name', '=', 'payment_methods')],
        help='MedioPago used when neither the invoice nor the customer says otherwise.',
    )
    l10n_cr_discount_code_id = fields.Many2one(
        'l10n_cr.einvoice.code', string='Default discount code',
        domain=[('list_name', '=', 'discount_codes')],
        help='CodigoDescuento written for line discounts that do not say otherwise.',
    )
    l10n_cr_discount_nature = fields.Char(
        string='Default discount nature',
        help='What a discount of code 99 (other) is, for lines that do not say it (Hacienda requires it: '
             'NaturalezaDescuento, 5 to 80 characters).',
    )
    l10n_cr_canton_code = fields.Char(related='partner_id.l10n_cr_canton_code', readonly=False)
    l10n_cr_district_code = fields.Char(related='partner_id.l10n_cr_district_code', readonly=False)
    l10n_cr_neighborhood = fields.Char(related='partner_id.l10n_cr_neighborhood', readonly=False)

    @api.constrains('l10n_cr_provider_id')
    def _check_l10n_cr_provider_id(self):
        for company in self:
            value = company.l10n_cr_provider_id
            if value and not PROVIDER_ID.fullmatch(value):
                raise ValidationError(self.env._(
                    "The systems provider ID must be an identification number (9 to 20 digits), not a name: %s",
                    value))

    def write(self, vals):
        result = super().write(vals)
        if {'l10n_cr_environment', 'l10n_cr_api_url', 'l10n_cr_idp_url',
                'l10n_cr_username', 'l10n_cr_password'} & set(vals):
            for company in self:
                client_cache.forget(self.env.cr.dbname, company.id)
        return result

    # -- configuration -----------------------------------------------------------------

    def _l10n_cr_identification(self):
        """(type, number) of the company, normalised."""
        self.ensure_one()
        number = (self.vat or '').replace('-', '').replace(' ', '').upper()
        return self.l10n_cr_id_type_id.code, number

    def _l10n_cr_provider(self):
        self.ensure_one()
        return self.l10n_cr_provider_id or self._l10n_cr_identification()[1]

    def _l10n_cr_emails(self):
        self.ensure_one()
        raw = self.l10n_cr_email or self.email or ''
        return [e.strip() for e in re.split(r'[,;\s]+', raw) if e.strip()][:4]

    def _l10n_cr_lang(self):
        """The language of what e-invoicing writes for everyone (chatter, banners, activities, whether
        the queue or a user's action writes them) and of the texts sent to Hacienda: the company's,
        when it is installed, not that of the cron's user."""
        self.ensure_one()
        lang = self.sudo().partner_id.lang
        if lang and lang in dict(self.env['res.lang'].get_installed()):
            return lang
        return self.env.lang or 'en_US'

    def _l10n_cr_settings_place(self):
        """Where the e-invoicing settings are, for messages: only administrators open Settings,
        so the messages say who does what there (true for whoever reads them)."""
        return self.env._("Invoicing › Configuration › Settings › Costa Rica electronic invoicing")

    def _l10n_cr_configuration_problems(self, document_type=None):
        """What must be set before this company can issue documents, in plain words."""
        self.ensure_one()
        company = self.sudo()
        problems = []
        place = self._l10n_cr_settings_place()
        id_type, number = company._l10n_cr_identification()
        if not id_type:
            problems.append(self.env._(
                "The company's identification type is not set (an administrator sets it in %s).", place))
        if not number:
            problems.append(self.env._(
                "The company's Tax ID (its cédula) is not set (an administrator sets it on the company: "
                "Settings › Users & Companies › Companies)."))
        elif id_type:
            message = self.env['res.partner']._l10n_cr_identification_problem(id_type, number)
            if message:
                problems.append(self.env._("The company's identification is not valid: %s", message))
        if document_type != '10' and not company.l10n_cr_activity_id:
            problems.append(self.env._(
                "The company's economic activity is not set (an administrator sets it in %s).", place))
        if not company._l10n_cr_emails():
            problems.append(self.env._(
                "The company has no e-mail address (an administrator sets the e-invoice e-mail in %s).", place))
        if not company.l10n_cr_certificate_id:
            problems.append(self.env._(
                "The company's signing certificate (.p12) is missing (an administrator uploads it with its PIN "
                "in %s).", place))
        if document_type not in ('10', '08', *MESSAGE_TYPES) and not company.partner_id._l10n_cr_location_values():
            problems.append(self.env._(
                "The company's address is incomplete: Hacienda needs its province (state), canton and district "
                "codes and the street (an administrator completes them in %s and on the company).", place))
        return problems

    # -- signing key -------------------------------------------------------------------

    def _l10n_cr_signing_key(self):
        """The company's SigningKey, loaded once per process; CertificateProblem (a UserError) in plain
        words if there is none or it cannot sign."""
        self.ensure_one()
        certificate = self.sudo().l10n_cr_certificate_id
        if not certificate:
            raise CertificateProblem(self.env._(
                "No signing certificate is configured for %(company)s: an administrator uploads the .p12 file "
                "and its PIN in %(place)s.", company=self.name, place=self._l10n_cr_settings_place()))
        fingerprint = (certificate.id, str(certificate.write_date))
        key = None
        try:
            key = key_cache.signing_key(self.env.cr.dbname, self.id, fingerprint,
                                        certificate._l10n_cr_load_key)
            key.check_usable()
        except InputError as exc:
            raise CertificateProblem(self.env._(
                "The signing certificate of %(company)s cannot be used: %(reason)s.",
                company=self.name, reason=key_text.describe_key_problem(self.env, exc, key))) from None
        number = self._l10n_cr_identification()[1]
        if key.taxpayer_id and number and key.taxpayer_id[1] != number:
            raise CertificateProblem(self.env._(
                "The signing certificate belongs to identification %(cert_id)s but the company's is "
                "%(company_id)s: Hacienda would reject every document. An administrator uploads the company's "
                "own certificate in %(place)s.", cert_id=key.taxpayer_id[1], company_id=number,
                place=self._l10n_cr_settings_place()))
        return key

    def l10n_cr_set_certificate(self, p12_base64, pin):
        """Store a .p12 (Base64) and its PIN as the company's signing certificate.

        Public so that provisioning scripts (JSON-2 / XML-RPC) can configure a company in one
        call; the same rules apply as in the Settings form."""
        self.ensure_one()
        if not self.env.user.has_group('account.group_account_manager'):
            raise UserError(self.env._("Only accounting administrators can change the signing certificate."))
        try:
            raw = base64.b64decode(p12_base64, validate=True)
        except (ValueError, TypeError):
            raise UserError(self.env._("The certificate must be given as Base64 text.")) from None
        # The certificate checks its .p12 and PIN itself when created (ValidationError).
        certificate = self.env['certificate.certificate'].sudo().create({
            'name': self.env._("Hacienda signing key of %s", self.name),
            'content': base64.b64encode(raw),
            'pkcs12_password': pin,
            'scope': 'l10n_cr_einvoice',
            'company_id': self.id,
        })
        self.sudo().l10n_cr_certificate_id = certificate
        return certificate.id

    # -- Hacienda client ---------------------------------------------------------------

    def _l10n_cr_client_config(self):
        self.ensure_one()
        company = self.sudo()
        environment = company.l10n_cr_environment or 'sandbox'
        api_url = company.l10n_cr_api_url or None
        idp_url = company.l10n_cr_idp_url or None
        if environment == 'simulator':
            base = server_settings.simulator_url()
            api_url = api_url or base
            idp_url = idp_url or base
        retry = hacienda_api.RetryPolicy(**CLIENT_RETRY)
        try:
            trusted = self._l10n_cr_hacienda_certificates()
            return hacienda_api.ClientConfig.for_environment(
                environment,
                company.l10n_cr_username or '',
                company.l10n_cr_password or '',
                api_url=api_url,
                idp_url=idp_url,
                retry=retry,
                user_agent='odoo-l10n_cr_einvoice',
                trusted_certs=trusted,
            )
        except ConfigurationError as exc:
            raise UserError(self.env._(
                "The Hacienda connection of %(company)s is not configured correctly: %(reason)s",
                company=self.name, reason=str(exc))) from None

    @api.model
    def _l10n_cr_hacienda_certificates(self):
        """The certificates Hacienda's answers must verify against (server setting), or ()."""
        path = server_settings.hacienda_certificates()
        if not path:
            return ()
        try:
            with open(path, 'rb') as handle:
                return tuple(load_trusted([handle.read()]))
        except (OSError, InputError) as exc:
            raise ConfigurationError(
                f"l10n_cr_einvoice_hacienda_certificates ({path}) cannot be read: {exc}") from None

    def _l10n_cr_client(self):
        """The company's HaciendaClient, kept for the process (connections and tokens reused)."""
        self.ensure_one()
        config = self._l10n_cr_client_config()
        redis_url = server_settings.redis_url()
        fingerprint = client_cache.fingerprint(
            config.environment, config.username, config.password, redis_url, server_settings.redis_prefix(),
            config.trusted_certs)

        def build():
            cache = None
            if redis_url:
                cache = hacienda_api.RedisTokenCache(redis_url, prefix=server_settings.redis_prefix())
            return hacienda_api.HaciendaClient(config, token_cache=cache)

        try:
            return client_cache.client(self.env.cr.dbname, self.id, fingerprint, build)
        except ConfigurationError as exc:
            raise UserError(self.env._("The Hacienda connection cannot be set up: %s", str(exc))) from None

    def action_l10n_cr_test_connection(self):
        """Ask the token server for a token with the company's credentials and say how it went."""
        self.ensure_one()
        if not self.env.user.has_group('account.group_account_manager'):
            raise UserError(self.env._("Only accounting administrators can test the Hacienda connection."))
        client = self._l10n_cr_client()
        try:
            client.tokens.access_token()
        except hacienda_api.ApiError as exc:
            kind = hacienda_api.kind_of(exc)
            if kind == 'transient':
                message = self.env._(
                    "Hacienda's token server could not be reached right now (%s). Try again in a "
                    "few minutes; if it persists, check the URLs and the server's network access.",
                    api_text.describe_api_error(self.env, exc))
            else:
                message = self.env._("Hacienda refused the connection: %s", api_text.describe_api_error(self.env, exc))
            raise UserError(message) from None
        problems = self._l10n_cr_configuration_problems()
        try:
            self._l10n_cr_signing_key()
        except UserError as exc:
            problems.append(exc.args[0])
        # Documents that stopped on a configuration or certificate problem can go again now.
        waiting = self.env['l10n_cr.einvoice.document'].sudo().search([
            ('company_id', '=', self.id), ('state', '=', 'error'), ('error_kind', 'in', ('configuration', 'certificate'))])
        if waiting and not problems:
            waiting._l10n_cr_requeue()
        env_label = dict(ENVIRONMENT_SELECTION)[self.l10n_cr_environment]
        if problems:
            body = self.env._("Connected to %(env)s, but: %(problems)s", env=env_label, problems=' '.join(problems))
            notification_type = 'warning'
        else:
            body = self.env._("Connected to %s: a token was issued for the API user.", env_label)
            notification_type = 'success'
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'title': self.env._("Hacienda connection"),
                'message': body,
                'type': notification_type,
                'sticky': bool(problems),
            },
        }
