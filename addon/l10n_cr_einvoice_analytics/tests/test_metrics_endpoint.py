import os
import tempfile
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import config
from odoo.tools.misc import mute_logger

from .common import AnalyticsHttpCommon
from .prometheus_text import parse

TOKEN = 's3cr3t-metrics-token'


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestMetricsEndpoint(AnalyticsHttpCommon):
    """GET /metrics through Odoo's HTTP stack: the token, and figures equal to the database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        handle, cls.token_file = tempfile.mkstemp(prefix='metrics-token-')
        os.write(handle, f'{TOKEN}\n'.encode())
        os.close(handle)
        cls.addClassCleanup(os.unlink, cls.token_file)

    def setUp(self):
        super().setUp()
        self.enterContext(patch.dict(config.options, {'l10n_cr_einvoice_metrics_token_file': self.token_file}))

    def scrape(self, token=TOKEN, **headers):
        if token:
            headers['Authorization'] = f'Bearer {token}'
        return self.url_open('/metrics', headers=headers, allow_redirects=False)

    def test_figures_match_the_database(self):
        self.issue(self.partner_cr, [(self.product_laptop, 1, 450000)])
        self.issue(self.partner_anonymous, [(self.product_coffee, 3, 4000)])
        self.issue_rejected(self.partner_cr, [(self.product_service, 1, 25000)])
        self.make_invoice(self.partner_cr, [(self.product_service, 3, 25000)])  # waits in "to send"
        response = self.scrape()
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertTrue(response.headers['Content-Type'].startswith('text/plain; version='))
        metrics = parse(response.text)
        company = (('company', self.company.name), ('company_id', str(self.company.id)))
        Document = self.env['l10n_cr.einvoice.document'].sudo()
        for state in ('to_send', 'sent', 'accepted', 'rejected', 'error'):
            for doc_type in ('01', '04', '03'):
                key = ('l10n_cr_einvoice_documents', tuple(sorted((*company, ('state', state),
                                                                    ('document_type', doc_type)))))
                expected = Document.search_count([('company_id', '=', self.company.id), ('state', '=', state),
                                                  ('document_type', '=', doc_type)])
                self.assertEqual(metrics[key], expected, key)
        self.assertEqual(metrics['l10n_cr_einvoice_documents', tuple(sorted((*company, ('state', 'accepted'),
                                                                            ('document_type', '01'))))], 1)
        self.assertEqual(metrics['l10n_cr_einvoice_documents_uncorrected', company], 1)
        unsent = metrics['l10n_cr_einvoice_oldest_unsent_age_seconds', company]
        self.assertGreaterEqual(unsent, 0)
        self.assertLess(unsent, 600)
        self.assertEqual(metrics['l10n_cr_einvoice_alert_unanswered_seconds', company], 4 * 3600)
        days = self.company._l10n_cr_certificate_days_left()
        self.assertAlmostEqual(metrics['l10n_cr_einvoice_certificate_days_left', company], days, delta=0.01)
        tax = sum(Document.search([('state', '=', 'accepted'), ('company_id', '=', self.company.id)])
                  .mapped('declared_amount_tax_crc'))
        self.assertEqual(metrics['l10n_cr_einvoice_declared_month_colones',
                                 tuple(sorted((*company, ('direction', 'sale'), ('amount', 'tax'))))], tax)
        # Calls are recorded in their own transactions (they survive a rolled-back request), so
        # other tests' calls are there too: the histogram counts every submit of every company.
        submits = self.env['l10n_cr.einvoice.hacienda.call'].sudo().search_count([('operation', '=', 'submit')])
        submits += sum(self.env['l10n_cr.einvoice.hacienda.call.total'].sudo().search(
            [('operation', '=', 'submit')]).mapped('calls'))
        own = self.env['l10n_cr.einvoice.hacienda.call'].sudo().search_count(
            [('operation', '=', 'submit'), ('company_ref', '=', self.company.id)])
        self.assertGreaterEqual(own, 3)
        self.assertEqual(metrics['l10n_cr_einvoice_hacienda_call_duration_seconds_count',
                                 (('operation', 'submit'),)], submits)
        self.assertIn(('odoo_mail_queue_messages', (('state', 'exception'),)), metrics)

    def test_email_failures(self):
        """The e-mail after acceptance, retried by the queue: what waits, what fails, how often it failed."""
        company = (('company', self.company.name), ('company_id', str(self.company.id)))
        before = parse(self.scrape().text)['l10n_cr_einvoice_email_failures_total', company]
        Report = type(self.env['ir.actions.report'])
        with patch.object(Report, '_pre_render_qweb_pdf', side_effect=UserError("no PDF engine")), \
                mute_logger('odoo.addons.l10n_cr_einvoice.models.l10n_cr_einvoice_document'):
            document = self.issue(self.partner_cr, [(self.product_laptop, 1, 450000)])
        self.assertEqual((document.state, document.email_sent), ('accepted', False))
        metrics = parse(self.scrape().text)
        self.assertEqual(metrics['l10n_cr_einvoice_email_pending', company], 1)
        self.assertEqual(metrics['l10n_cr_einvoice_email_failing', company], 1)
        self.assertEqual(metrics['l10n_cr_einvoice_email_failures_total', company] - before,
                         document.email_failures)
        self.assertGreaterEqual(document.email_failures, 1)
        self.process_queue()
        self.assertTrue(document.email_sent)
        metrics = parse(self.scrape().text)
        self.assertEqual(metrics['l10n_cr_einvoice_email_pending', company], 0)
        self.assertEqual(metrics['l10n_cr_einvoice_email_failing', company], 0)
        self.assertEqual(metrics['l10n_cr_einvoice_email_failures_total', company] - before,
                         document.email_failures, "a counter: the failures stay counted")

    @mute_logger('odoo.addons.l10n_cr_einvoice_analytics.controllers.metrics')
    def test_refused_without_the_token(self):
        for response in (self.scrape(token=None), self.scrape(token='wrong'), self.scrape(token=TOKEN + 'x'),
                         self.scrape(token=None, Authorization=f'Basic {TOKEN}')):
            self.assertEqual(response.status_code, 404)
            self.assertNotIn('l10n_cr_einvoice', response.text)
        config.options['l10n_cr_einvoice_metrics_token_file'] = '/nonexistent/token'
        self.assertEqual(self.scrape().status_code, 404)
        config.options['l10n_cr_einvoice_metrics_token_file'] = ''
        self.assertEqual(self.scrape().status_code, 404)
