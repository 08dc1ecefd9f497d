"""An accountant's day in Spanish (es_CR), in the browser: the administrator's settings refuse a
certificate that is not one; a billing user creates a product with its CABYS code, invoices it with
a discount, sees Hacienda's acceptance arrive on the open form, prints it, issues a credit note and
finds the invoice by its clave. Meanwhile the queue runs in another thread, on its own cursor and
without a language, as its cron does beside the web server.

The same tours give the screenshots of docs/odoo-user-guide.md, on request only (tagged out of
'standard'):

    scripts/odoo-test -m l10n_cr_einvoice -t l10n_cr_einvoice_accountant_screenshots
    cp .var/odoo-test/screenshots/l10n_cr_einvoice_accountant/*.png docs/img/accountant/
"""

import threading
from contextlib import contextmanager
from unittest.mock import patch

from lxml import etree
from odoo import SUPERUSER_ID, Command, api
from odoo.tests import tagged

from .common import L10nCrEinvoiceHttpCommon, compact, pdf_text
from .screenshots import TourScreenshots

MODULE = 'l10n_cr_einvoice'
SHOTS = {'accountant-settings', 'accountant-certificate-refused', 'accountant-product',
         'accountant-invoice-to-send', 'accountant-invoice-accepted', 'accountant-printed',
         'accountant-document', 'accountant-credit-note-to-send', 'accountant-credit-note-accepted',
         'accountant-search-clave'}


class AccountantDay:

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env['res.lang']._activate_lang('es_CR')
        env['ir.module.module']._load_module_terms([MODULE], ['es_CR'], overwrite=True)
        (cls.company.partner_id | cls.partner_cr).lang = 'es_CR'
        # The test chart has cash-basis taxes: Settings would open with Odoo's warning about it.
        cls.company.tax_exigibility = True
        cls.admin = env.user
        cls.admin.write({'lang': 'es_CR', 'group_ids': [Command.link(env.ref('base.group_system').id)]})
        cls.billing = env['res.users'].create({
            'name': 'Contadora', 'login': 'contadora', 'password': 'contadora', 'lang': 'es_CR',
            'company_id': cls.company.id, 'company_ids': [Command.set(cls.company.ids)],
            'group_ids': [Command.set([env.ref('account.group_account_invoice').id,
                                       env.ref('product.group_product_manager').id])],
        })

    @contextmanager
    def queue_cron(self, interval=0.5):
        """The queue's cron beside the browser: a thread on its own cursor, without a language, woken
        (as the cron is) when a document is queued. It works only then, while the test itself waits
        for the browser: the test's own queries share the connection."""
        stop, due, failures = threading.Event(), threading.Event(), []
        Document = self.registry['l10n_cr.einvoice.document']
        schedule = Document._l10n_cr_schedule

        def wake(records, when):
            due.set()
            return schedule(records, when)

        def work():
            while not stop.is_set():
                if not due.wait(interval):
                    continue
                due.clear()
                pending = True
                while pending and not stop.is_set():
                    try:
                        with self.registry.cursor() as cr:
                            queue = api.Environment(cr, SUPERUSER_ID, {})['l10n_cr.einvoice.document']
                            queue._l10n_cr_process_queue(time_budget=5)
                            pending = queue.search_count([('state', 'in', ('to_send', 'sent'))])
                    except Exception as exc:  # reported by the test, not lost in the thread
                        failures.append(exc)
                        pending = False
                    stop.wait(interval if pending else 0)
                due.clear()  # what its own work scheduled is done

        with patch.object(Document, '_l10n_cr_schedule', wake):
            thread = threading.Thread(target=work, name='l10n_cr_einvoice queue cron', daemon=True)
            thread.start()
            try:
                yield
            finally:
                stop.set()
                thread.join(timeout=30)
        self.assertFalse(failures, failures)

    def walk(self):
        self.start_tour('/odoo/settings#account', 'l10n_cr_einvoice_accountant_settings', login=self.admin.login,
                        timeout=120)
        with self.queue_cron():
            self.start_tour('/odoo/action-account.product_product_action_sellable/new',
                            'l10n_cr_einvoice_accountant_day', login=self.billing.login, timeout=300)
        return self.env['account.move'].search([('invoice_user_id', '=', self.billing.id)], order='id')


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestAccountantTour(AccountantDay, L10nCrEinvoiceHttpCommon):

    def test_accountant_day(self):
        invoice, credit_note = self.walk()
        self.assertEqual(self.company.l10n_cr_commercial_name, 'Consultores del Este')
        self.assertFalse(self.env['certificate.certificate'].search([('name', '=', 'Llave 2027')]))
        self.assertTrue(self.company.l10n_cr_certificate_id)
        product = invoice.invoice_line_ids.product_id
        self.assertEqual(product.l10n_cr_cabys_id.code, '8314100000000')
        self.assertEqual(product.create_uid, self.billing)
        for move in (invoice, credit_note):
            self.assertEqual(move.l10n_cr_state, 'accepted', move.l10n_cr_error)
        tree = etree.fromstring(invoice.l10n_cr_document_id.xml_attachment_id.raw)
        self.assertEqual([e.text for e in tree.iter() if isinstance(e.tag, str) and e.tag.endswith('MontoDescuento')],
                         ['12000.00000'])
        note = etree.fromstring(credit_note.l10n_cr_document_id.xml_attachment_id.raw)
        self.assertEqual([e.text for e in note.iter() if isinstance(e.tag, str) and e.tag.endswith('Razon')],
                         ['Descuento adicional acordado'])
        # The PDF as this machine's wkhtmltopdf prints it: issuer, clave and consecutivo.
        pdf, _kind = self.env['ir.actions.report'].with_context(force_report_rendering=True)._render_qweb_pdf(
            'account.account_invoices', invoice.ids)
        text = pdf_text(pdf)
        document = invoice.l10n_cr_document_id
        for value in (self.company.name, self.company.vat, document.clave, document.consecutivo):
            self.assertIn(compact(value), text)


@tagged('l10n_cr_einvoice_accountant_screenshots', '-standard', 'post_install', '-at_install')
class TestAccountantScreenshots(TourScreenshots, AccountantDay, L10nCrEinvoiceHttpCommon):

    screenshot_subdir = 'l10n_cr_einvoice_accountant'
    browser_size = '1366x900'

    def test_screenshots(self):
        self.walk()
        self.assertEqual(self.saved, SHOTS)
