import base64
import io
from datetime import timedelta

import openpyxl
from odoo import fields
from odoo.addons.l10n_cr_einvoice.tests.common import compact, pdf_text
from odoo.tests import tagged

from ..models.l10n_cr_einvoice_document import costa_rica_day
from .common import AnalyticsCommon


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestDeclared(AnalyticsCommon):
    """What Hacienda accepted, read back from the signed XML: per-rate breakdown, document
    totals in colones, the monthly report (data, PDF, XLSX) and the backfill."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.setup_other_currency('USD', rates=[(fields.Date.today() - timedelta(days=10), 1 / 507.12)])

    def setUp(self):
        super().setUp()
        # Two VAT rates, 13 % and 1 %
        self.invoice = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000),
                                                           (self.product_coffee, 10, 4000)])
        self.services = self.make_invoice(self.partner_cr, [(self.product_service, 2, 25000)])
        self.process_queue()
        self.doc_invoice = self.invoice.l10n_cr_document_id
        self.doc_services = self.services.l10n_cr_document_id
        self.doc_note = self.credit_note(self.services)
        # An export invoice in dollars (0 %), 68.50 USD at 507.12
        self.doc_export = self.issue(self.partner_foreign, [(self.product_coffee, 10, 6.85, self.tax_0)],
                                     currency_id=self.usd.id)
        self.doc_rejected = self.issue_rejected(self.partner_cr, [(self.product_laptop, 1, 450000)])
        self.today = costa_rica_day(fields.Datetime.now())

    def report(self, **values):
        return self.env['l10n_cr.einvoice.monthly.report'].create({
            'company_id': self.company.id, 'month': str(self.today.month), 'year': self.today.year, **values})

    def test_breakdown_per_rate_from_the_signed_xml(self):
        for doc in (self.doc_invoice, self.doc_services, self.doc_note, self.doc_export):
            self.assertEqual(doc.state, 'accepted', doc.error_message)
        self.assertEqual(self.doc_rejected.state, 'rejected')
        rows = {(b.tax_code, b.iva_rate_code): b for b in self.doc_invoice.tax_breakdown_ids}
        self.assertEqual(set(rows), {('01', '08'), ('01', '02')})
        self.assertEqual((rows['01', '08'].base_amount, rows['01', '08'].tax_amount, rows['01', '08'].rate),
                         (450000.0, 58500.0, 13.0))
        self.assertEqual((rows['01', '02'].base_amount, rows['01', '02'].tax_amount), (40000.0, 400.0))
        self.assertEqual(rows['01', '08'].tax_code_id.code, '01')
        self.assertEqual(rows['01', '08'].iva_rate_code_id.code, '08')
        self.assertEqual(self.doc_invoice.declared_amount_total, self.invoice.amount_total)
        self.assertEqual(self.doc_invoice.declared_amount_tax_crc, 58900.0)
        self.assertFalse(self.doc_invoice.declared_note)
        # A credit note counts negative; the rejected document declared nothing
        self.assertEqual(self.doc_note.declared_amount_untaxed_crc, -50000.0)
        self.assertEqual(self.doc_note.tax_breakdown_ids.net_tax_amount_crc, -6500.0)
        self.assertFalse(self.doc_rejected.tax_breakdown_ids)
        self.assertFalse(self.doc_rejected.declared_crc_currency_id)
        # Dollars: document currency as declared, colones at the document's TipoCambio
        export = self.doc_export
        self.assertEqual(export.declared_currency_id, self.usd)
        self.assertAlmostEqual(export.declared_exchange_rate, 507.12, places=2)
        self.assertEqual(export.declared_amount_total, 68.5)
        self.assertEqual(export.declared_amount_total_crc, 34737.72)
        self.assertEqual(export.tax_breakdown_ids.base_amount_crc, 34737.72)

    def test_monthly_report_totals_per_rate(self):
        data = self.report()._l10n_cr_report_data()
        rates = {(r['direction'], r['tax_code'], r['iva_rate_code']): r for r in data['issued_rates']}
        self.assertEqual(set(rates), {('sale', '01', '08'), ('sale', '01', '02'), ('sale', '01', '01')})
        # 13 %: 450 000 + 50 000 - 50 000 (credit note)
        self.assertEqual((rates['sale', '01', '08']['base'], rates['sale', '01', '08']['net_tax']), (450000.0, 58500.0))
        self.assertEqual((rates['sale', '01', '02']['base'], rates['sale', '01', '02']['net_tax']), (40000.0, 400.0))
        self.assertEqual((rates['sale', '01', '01']['base'], rates['sale', '01', '01']['net_tax']), (34737.72, 0.0))
        totals = data['issued_rate_totals']['sale']
        self.assertEqual((round(totals['base'], 2), totals['net_tax']), (524737.72, 58900.0))
        types = {r['document_type']: r for r in data['issued_types']}
        self.assertEqual({t: r['count'] for t, r in types.items()}, {'01': 2, '03': 1, '09': 1})
        self.assertEqual(types['03']['total'], -56500.0)
        self.assertEqual(round(data['issued_type_totals']['sale']['total'], 2),
                         round(548900 + 56500 - 56500 + 34737.72, 2))
        # The rejected invoice is not counted, but said
        self.assertIn(('Rejected', 1), data['not_accepted'])
        # Another month has nothing
        other = self.today.replace(day=1) - timedelta(days=1)
        empty = self.report(month=str(other.month), year=other.year)._l10n_cr_report_data()
        self.assertEqual((empty['issued_types'], empty['issued_rates']), ([], []))

    def test_pdf_and_xlsx_show_the_same_totals(self):
        wizard = self.report()
        html = self.env['ir.actions.report']._render_qweb_html(
            'l10n_cr_einvoice_analytics.report_monthly', wizard.ids)[0].decode()
        for text in ('58,900.00', '524,737.72', '34,737.72', 'Total <span>Sales</span>', '13% (08)'):
            self.assertIn(text, html.replace('\xa0', ' '))
        action = wizard.action_l10n_cr_export_xlsx()
        self.assertIn(f'/web/content/l10n_cr.einvoice.monthly.report/{wizard.id}/xlsx_file/', action['url'])
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.xlsx_file)))
        sheet = book['Issued by tax rate']
        values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
        by_label = {row[1]: row for row in values if row and row[1]}
        vat13 = next(row for label, row in by_label.items() if label.endswith('(08)'))
        self.assertEqual((vat13[5], vat13[8]), (450000, 58500))
        total = next(row for row in values if row and row[0] == 'Total Sales')
        self.assertEqual((round(total[5], 2), total[8]), (524737.72, 58900))
        self.assertEqual(book['Issued by type'].cell(row=1, column=1).value, 'Issued documents accepted by Hacienda')

    def test_printed_report_names_its_company(self):
        """The PDF as this machine's wkhtmltopdf prints it (no page header without Odoo's patched Qt):
        whose figures they are is in the body. Its files are named in the user's language."""
        self.company.phone = '+506 2222 3333'
        wizard = self.report()
        with self.allow_pdf_render():
            pdf, _kind = self.env['ir.actions.report'].with_context(force_report_rendering=True)._render_qweb_pdf(
                'l10n_cr_einvoice_analytics.report_monthly', wizard.ids)
        text = pdf_text(pdf)
        for value in (self.company.name, self.company.vat, self.company.street, self.company.email, '+506 2222 3333'):
            self.assertIn(compact(value), text)
        self.env['res.lang']._activate_lang('es_CR')
        self.env['ir.module.module']._load_module_terms(['l10n_cr_einvoice_analytics'], ['es_CR'], overwrite=True)
        month = f"{self.today.year}-{self.today.month:02d}"
        self.assertEqual(wizard._l10n_cr_file_stem(), f"e-invoicing-{month}-{self.company.vat}")
        self.assertEqual(wizard.with_context(lang='es_CR')._l10n_cr_file_stem(),
                         f"facturacion-electronica-{month}-{self.company.vat}")

    def test_backfill_for_documents_accepted_before_install(self):
        docs = self.doc_invoice | self.doc_export
        docs.sudo().tax_breakdown_ids.unlink()
        docs.sudo().write({'declared_crc_currency_id': False, 'declared_amount_total_crc': 0})
        self.assertEqual(self.Document._l10n_cr_analytics_backfill(), 2)
        self.assertEqual(self.doc_invoice.declared_amount_tax_crc, 58900.0)
        self.assertEqual(len(self.doc_invoice.tax_breakdown_ids), 2)
        self.assertEqual(self.doc_export.declared_amount_total_crc, 34737.72)
        self.assertEqual(self.Document._l10n_cr_analytics_backfill(), 0, "nothing left to do")

    def test_unreadable_xml_never_blocks_acceptance(self):
        doc = self.doc_invoice.sudo()
        doc.xml_attachment_id.raw = b'<not-xml'
        doc._l10n_cr_analytics_store_declared()
        self.assertIn('could not be read', doc.declared_note)
        self.assertEqual(doc.state, 'accepted')

    def test_received_documents_in_the_monthly_report(self):
        if 'l10n_cr.einvoice.received' not in self.env:
            self.skipTest("the main module has no received documents yet")
        Received = self.env['l10n_cr.einvoice.received'].sudo()
        supplier = self.env['res.partner'].create({'name': 'Proveedor S.A.', 'vat': '3101999999'})
        now = fields.Datetime.now()

        def received(clave, decision, doc_type='01', currency=None, rate=1.0, lines=()):
            return Received.create({
                'company_id': self.company.id, 'clave': clave, 'document_type': doc_type,
                'supplier_id': supplier.id, 'issue_date': now, 'currency_id': (currency or self.env.ref('base.CRC')).id,
                'exchange_rate': rate, 'decision': decision,
                'amount_untaxed': sum(b for _c, _r, _p, b, _t in lines),
                'amount_tax': sum(t for _c, _r, _p, _b, t in lines),
                'amount_total': sum(b + t for _c, _r, _p, b, t in lines),
                'tax_line_ids': [(0, 0, {'tax_code': c, 'iva_rate_code': r, 'rate': p, 'base_amount': b,
                                         'tax_amount': t}) for c, r, p, b, t in lines],
            })

        received('5' * 50, 'accepted', lines=[('01', '08', 13.0, 100000.0, 13000.0), ('01', '04', 4.0, 50000.0, 2000.0)])
        received('6' * 50, 'partially_accepted', currency=self.usd, rate=500.0,
                 lines=[('01', '08', 13.0, 100.0, 13.0)])
        received('7' * 50, 'rejected', lines=[('01', '08', 13.0, 99999.0, 12999.87)])
        received('8' * 50, 'accepted', doc_type='03', lines=[('01', '08', 13.0, 10000.0, 1300.0)])
        data = self.report()._l10n_cr_report_data()
        self.assertTrue(data['received_available'])
        rates = {(r['tax_code'], r['iva_rate_code']): r for r in data['received_rates']}
        # 13 %: 100 000 + 100 USD × 500 − 10 000 (credit note); the rejected one is left out
        self.assertEqual((rates['01', '08']['base'], rates['01', '08']['tax']), (140000.0, 18200.0))
        self.assertEqual((rates['01', '04']['base'], rates['01', '04']['tax']), (50000.0, 2000.0))
        types = {r['document_type']: r for r in data['received_types']}
        self.assertEqual((types['01']['count'], types['01']['total']), (2, 165000.0 + 56500.0))
        self.assertEqual(types['03']['total'], -11300.0)
        self.assertEqual(data['received_pending'], 1)

    def test_received_documents_of_the_month_in_costa_rica(self):
        """A supplier document belongs to the month of its Costa Rican date (UTC-6): the last
        second of a month there is 05:59:59 UTC the next day."""
        Received = self.env['l10n_cr.einvoice.received'].sudo()
        supplier = self.env['res.partner'].create({'name': 'Proveedor S.A.', 'vat': '3101999999'})
        for digit, issued in (('1', '2026-10-01 05:59:59'), ('2', '2026-10-01 06:00:00'),
                              ('3', '2026-11-01 05:59:59'), ('4', '2026-11-01 06:00:00')):
            Received.create({
                'company_id': self.company.id, 'clave': digit * 50, 'document_type': '01',
                'supplier_id': supplier.id, 'issue_date': issued, 'currency_id': self.env.ref('base.CRC').id,
                'exchange_rate': 1.0, 'decision': 'accepted', 'amount_untaxed': 1000.0, 'amount_total': 1000.0,
            })
        data = self.report(month='10', year=2026)._l10n_cr_report_data()
        self.assertEqual(data['received_types'][0]['count'], 2)
        self.assertEqual(data['received_pending'], 0)
        self.assertEqual(self.report(month='11', year=2026)._l10n_cr_report_data()['received_types'][0]['count'], 1)
