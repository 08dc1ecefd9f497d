from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import AnalyticsCommon


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestAlerts(AnalyticsCommon):
    """Activities on documents left unanswered or rejected too long; the daily certificate check."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.env['res.users'].create({
            'name': 'Contadora', 'login': 'contadora-alerts', 'email': 'contadora@demo.cr',
            'company_id': cls.company.id, 'company_ids': [Command.set(cls.company.ids)],
            'group_ids': [Command.set([cls.env.ref('account.group_account_manager').id,
                                       cls.env.ref('base.group_user').id])],
        })
        cls.company.l10n_cr_alert_user_id = cls.accountant

    def activities(self, doc, summary):
        return doc.sudo().activity_ids.filtered(lambda a: summary in (a.summary or ''))

    def test_stuck_and_uncorrected_documents_get_one_activity(self):
        rejected = self.issue_rejected(self.partner_cr, [(self.product_service, 1, 25000)])
        # posted, never sent (the queue does not run again)
        waiting = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)]).l10n_cr_document_id
        Document = self.env['l10n_cr.einvoice.document']
        self.assertEqual(Document._cron_l10n_cr_analytics_document_alerts(), (0, 0), "too early for both")
        waiting.sudo().issue_date = fields.Datetime.now() - timedelta(hours=5)
        rejected.sudo().answered_date = fields.Datetime.now() - timedelta(hours=25)
        self.assertEqual(Document._cron_l10n_cr_analytics_document_alerts(), (1, 1))
        stuck_activity = self.activities(waiting, 'Not answered by Hacienda after 4 hours')
        self.assertEqual(stuck_activity.user_id, self.accountant)
        self.assertIn(waiting.name, stuck_activity.note)
        reject_activity = self.activities(rejected, 'Rejected by Hacienda and not corrected')
        self.assertEqual(reject_activity.user_id, self.accountant)
        self.assertIn('Rechazo forzado', reject_activity.note)
        # once per document
        self.assertEqual(Document._cron_l10n_cr_analytics_document_alerts(), (0, 0))
        self.assertEqual(len(self.activities(waiting, 'Not answered')), 1)

    def test_without_a_configured_user_the_salesperson_hears(self):
        self.company.l10n_cr_alert_user_id = False
        salesperson = self.accountant
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)], invoice_user_id=salesperson.id)
        doc = move.l10n_cr_document_id
        doc.sudo().issue_date = fields.Datetime.now() - timedelta(hours=5)
        self.env['l10n_cr.einvoice.document']._cron_l10n_cr_analytics_document_alerts()
        self.assertEqual(self.activities(doc, 'Not answered').user_id, salesperson)

    def test_certificate_about_to_expire(self):
        certificate = self.company.sudo().l10n_cr_certificate_id
        days_left = self.company._l10n_cr_certificate_days_left()
        self.assertAlmostEqual(days_left, (certificate.date_end - fields.Datetime.now()).total_seconds() / 86400, 3)
        Company = self.env['res.company']
        self.company.l10n_cr_alert_certificate_days = 1
        self.assertFalse(Company._cron_l10n_cr_analytics_certificate_alerts() & self.company)
        self.company.l10n_cr_alert_certificate_days = int(days_left) + 1
        before = self.env['mail.message'].search_count([('partner_ids', 'in', self.accountant.partner_id.ids)])
        self.assertIn(self.company, Company._cron_l10n_cr_analytics_certificate_alerts())
        message = self.env['mail.message'].search([('partner_ids', 'in', self.accountant.partner_id.ids)],
                                                  order='id desc', limit=1)
        self.assertEqual(self.env['mail.message'].search_count(
            [('partner_ids', 'in', self.accountant.partner_id.ids)]), before + 1)
        self.assertIn('expires in', message.subject)
        self.assertEqual((message.model, message.res_id), ('certificate.certificate', certificate.id))
        # Not again the next day (weekly until its last week)
        self.assertFalse(Company._cron_l10n_cr_analytics_certificate_alerts() & self.company)

    def test_last_week_and_expired_certificates_are_announced_daily(self):
        Company = self.env['res.company']
        self.company.l10n_cr_certificate_alerted = fields.Date.today() - timedelta(days=1)
        for days, subject in ((3, 'expires in 3 day(s)'), (-2, 'has expired')):
            with patch.object(type(Company), '_l10n_cr_certificate_days_left', lambda self, now=None, d=days: d):
                self.assertIn(self.company, Company._cron_l10n_cr_analytics_certificate_alerts())
            message = self.env['mail.message'].search([('partner_ids', 'in', self.accountant.partner_id.ids)],
                                                      order='id desc', limit=1)
            self.assertIn(subject, message.subject)
            self.company.l10n_cr_certificate_alerted = fields.Date.today() - timedelta(days=1)

    def test_alert_times_are_checked(self):
        with self.assertRaises(ValidationError):
            self.company.l10n_cr_alert_unsent_hours = 0
