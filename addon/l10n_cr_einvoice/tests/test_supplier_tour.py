"""Supplier documents in the browser: a tour in the suite (open a supplier document, accept it,
see the message on its way), and the screenshots of docs/supplier-documents.md, taken from the
real UI on request only (tagged out of 'standard'):

    scripts/odoo-test -m l10n_cr_einvoice -t l10n_cr_einvoice_supplier_screenshots
    # PNGs in .var/odoo-test/screenshots/l10n_cr_einvoice/ → copy to docs/img/supplier/

A screenshot tour logs a marker when the page shows what the guide describes; the page is
captured then.
"""


from odoo import Command
from odoo.tests import tagged

from .common import L10nCrEinvoiceHttpCommon
from .screenshots import TourScreenshots
from .supplier_system import SUPPLIER_PASSWORD, SUPPLIER_USER, SupplierSystem, line, trust_test_pki

PAPER = line('3212100000100', 'Papel bond carta, resma', 10, 2500, discount=2500)
COFFEE = line('2111100000000', 'Café molido 1 kg', 4, 4000, rate_code='02')
SERVICE = line('8714100000000', 'Mantenimiento de impresoras', 1, 50000, rate_code='04', unit='Sp')


class SupplierDocumentsHttpCommon(L10nCrEinvoiceHttpCommon):

    simulator_users = (f'{SUPPLIER_USER}:{SUPPLIER_PASSWORD}',)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supplier = SupplierSystem(cls.simulator.url)
        cls.Received = cls.env['l10n_cr.einvoice.received']
        trust_test_pki(cls)

    def supplier_document(self, lines, submit=True, reject=False, **kwargs):
        xml, _built = self.supplier.issue(lines, **kwargs)
        if reject:
            self.simulator.faults(next=[{'kind': 'reject', 'endpoint': 'submit'}])
        if submit:
            self.supplier.submit(xml)
        return xml

    def import_xml(self, xml, filename):
        return self.Received._l10n_cr_import(xml, company=self.company, filename=filename)


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestSupplierTour(SupplierDocumentsHttpCommon):

    def test_accept_in_the_browser(self):
        received = self.import_xml(self.supplier_document([PAPER, COFFEE]), 'factura.xml')
        self.start_tour(f'/odoo/action-l10n_cr_einvoice.action_l10n_cr_received/{received.id}',
                        'l10n_cr_einvoice_supplier_tour', login=self.env.user.login)
        self.assertEqual(received.decision, 'accepted')
        self.assertEqual(received.message_document_id.document_type, '05')
        self.process_queue()
        self.assertEqual(received.message_state, 'accepted')


@tagged('l10n_cr_einvoice_supplier_screenshots', '-standard', 'post_install', '-at_install')
class TestSupplierScreenshots(TourScreenshots, SupplierDocumentsHttpCommon):

    screenshot_subdir = 'l10n_cr_einvoice'

    browser_size = '1366x1000'  # a whole form per picture

    def test_screenshots(self):
        to_decide = self.import_xml(self.supplier_document([PAPER, COFFEE, SERVICE]), 'FE-el-roble-0001.xml')
        answered = self.import_xml(self.supplier_document([SERVICE]), 'FE-el-roble-0002.xml')
        answered._l10n_cr_decide('accepted')
        self.process_queue()
        refused_by_hacienda = self.import_xml(self.supplier_document([COFFEE], reject=True), 'FE-el-roble-0003.xml')
        self.import_xml(self.supplier_document([PAPER], submit=False), 'FE-el-roble-0004.xml')
        tampered = self.supplier_document([PAPER]).replace(b'Papel bond', b'Papel Bond')
        self.env['l10n_cr.einvoice.received.upload'].create({'attachment_ids': [Command.set(
            self.env['ir.attachment'].create({'name': 'FE-el-roble-0005.xml', 'raw': tampered}).ids)]})
        service_charge = self.env['product.template'].create({
            'name': 'Servicio 10%', 'type': 'service', 'taxes_id': [Command.clear()],
            'l10n_cr_other_charge_type_id': self.code('other_charge_types', '06').id})
        action = '/odoo/action-l10n_cr_einvoice.action_l10n_cr_received'
        pages = {
            'supplier-list': action,
            'supplier-import': action,
            'supplier-refused': action,  # the tour opens the import dialog prepared here
            'supplier-document': f'{action}/{to_decide.id}',
            'supplier-accepted': f'{action}/{answered.id}',
            'supplier-bill': f'/odoo/action-account.action_move_in_invoice_type/{answered.move_id.id}',
            'supplier-hacienda-rejected': f'{action}/{refused_by_hacienda.id}',
            'other-charge-product': f'/odoo/action-account.product_product_action_sellable/{service_charge.id}',
        }
        for name, url in pages.items():
            self.start_tour(url, f'l10n_cr_einvoice_supplier_shot_{name}', login=self.env.user.login)
        self.assertEqual(self.saved, set(pages) | {'supplier-decision', 'supplier-decided'})
        self.assertEqual(to_decide.decision, 'partially_accepted')
