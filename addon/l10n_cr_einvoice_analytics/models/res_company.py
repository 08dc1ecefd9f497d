import logging
from datetime import timedelta

from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .l10n_cr_einvoice_hacienda_call import RecordingClient

_logger = logging.getLogger(__name__)

# A certificate about to expire is announced at most this often, then daily in its last week.
CERTIFICATE_REMINDER_DAYS = 7


class ResCompany(models.Model):
    _inherit = 'res.company'

    l10n_cr_alert_unsent_hours = fields.Integer(
        string='Alert on documents unanswered after (hours)', default=4,
        help='A document Hacienda has not accepted or rejected this long after it was issued (still to '
             'send, sent or in error) counts as stuck: it gets an activity and shows in the dashboard.')
    l10n_cr_alert_rejected_hours = fields.Integer(
        string='Alert on rejected documents not corrected after (hours)', default=24,
        help='A rejected document with no corrected document issued this long after the rejection gets an '
             'activity.')
    l10n_cr_alert_certificate_days = fields.Integer(
        string='Alert when the certificate expires within (days)', default=30,
        help='This many days before the signing certificate expires, the alert users are told to renew it '
             '(then again every week, and daily in its last week).')
    l10n_cr_alert_user_id = fields.Many2one(
        'res.users', string='E-invoicing alerts to',
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help='Who receives the alerts. Empty: the invoice\'s salesperson for documents, and the accounting '
             'administrators for the certificate.')
    l10n_cr_certificate_alerted = fields.Date(string='Certificate alert last sent', readonly=True)

    @api.constrains('l10n_cr_alert_unsent_hours', 'l10n_cr_alert_rejected_hours',
                    'l10n_cr_alert_certificate_days')
    def _check_l10n_cr_alert_times(self):
        for company in self:
            if min(company.l10n_cr_alert_unsent_hours, company.l10n_cr_alert_rejected_hours) < 1:
                raise ValidationError(self.env._("E-invoicing alert times must be at least one hour."))
            if company.l10n_cr_alert_certificate_days < 0:
                raise ValidationError(self.env._("The certificate alert cannot be a negative number of days."))

    # -- Hacienda calls are counted --------------------------------------------------------

    def _l10n_cr_client(self):
        """The company's client, wrapped so that each call to Hacienda is counted and timed
        for /metrics (see hacienda_call.py)."""
        client = super()._l10n_cr_client()
        return RecordingClient(client, self.env, self.id)

    # -- who hears about problems ----------------------------------------------------------

    def _l10n_cr_analytics_alert_users(self, preferred=None):
        """The configured user, else ``preferred`` (e.g. the invoice's salesperson), else the
        company's accounting administrators; never the superuser nor an archived user."""
        self.ensure_one()
        candidates = self.sudo().l10n_cr_alert_user_id or (preferred or self.env['res.users'])
        candidates = candidates.filtered(lambda u: u.active and not u._is_superuser() and not u.share)
        if candidates:
            return candidates
        managers = self.env.ref('account.group_account_manager').sudo().all_user_ids
        return managers.filtered(
            lambda u: u.active and not u._is_superuser() and not u.share and self in u.company_ids
        ).sorted('id')

    # -- certificate expiry --------------------------------------------------------------

    def _l10n_cr_certificate_days_left(self, now=None):
        """Days until the signing certificate expires (negative once expired); None without one."""
        self.ensure_one()
        certificate = self.sudo().l10n_cr_certificate_id
        if not certificate or not certificate.date_end:
            return None
        return (certificate.date_end - (now or fields.Datetime.now())).total_seconds() / 86400

    @api.model
    def _cron_l10n_cr_analytics_certificate_alerts(self):
        """Daily: tell the alert users when a company's certificate expires within its alert time."""
        today = fields.Date.context_today(self)
        alerted = self.browse()
        for company in self.sudo().search([('l10n_cr_enabled', '=', True)]):
            days = company._l10n_cr_certificate_days_left()
            if days is None or days > company.l10n_cr_alert_certificate_days:
                continue
            last = company.l10n_cr_certificate_alerted
            if last and days > CERTIFICATE_REMINDER_DAYS and today - last < timedelta(days=CERTIFICATE_REMINDER_DAYS):
                continue
            company.with_context(lang=company._l10n_cr_lang())._l10n_cr_analytics_certificate_alert(days)
            company.l10n_cr_certificate_alerted = today
            alerted |= company
        return alerted

    def _l10n_cr_analytics_certificate_alert(self, days):
        self.ensure_one()
        certificate = self.sudo().l10n_cr_certificate_id
        users = self._l10n_cr_analytics_alert_users()
        end = fields.Datetime.to_string(certificate.date_end)
        if days < 0:
            subject = self.env._("The Hacienda signing certificate of %s has expired", self.name)
            body = self.env._("It expired on %(end)s UTC: no document can be signed until an administrator uploads "
                              "a new .p12 in %(place)s.", end=end, place=self._l10n_cr_settings_place())
        else:
            subject = self.env._("The Hacienda signing certificate of %(company)s expires in %(days)s day(s)",
                                 company=self.name, days=int(days))
            body = self.env._("It expires on %(end)s UTC. Obtain the new .p12 from Hacienda (ATV / TRIBU-CR); an "
                              "administrator uploads it with its PIN in %(place)s before that date.",
                              end=end, place=self._l10n_cr_settings_place())
        if not users:
            _logger.warning("%s: nobody to tell (no accounting administrator)", subject)
            return
        self.env['mail.thread'].sudo().message_notify(
            partner_ids=users.partner_id.ids, subject=subject, body=Markup('<p>%s</p>') % body,
            model='certificate.certificate', res_id=certificate.id)
