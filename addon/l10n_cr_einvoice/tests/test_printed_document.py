"""The printed comprobante names its issuer whatever the PDF engine. Odoo's layouts put the company
in the page header, which a wkhtmltopdf built on Qt without Odoo's patch (Debian's, this project's)
does not print: the issuer is in the report's body. Checked on the PDF itself, as a reader sees it
(its text extracted), rendered by the wkhtmltopdf of this machine."""

from odoo.tests import tagged

from .common import L10nCrEinvoiceHttpCommon, compact, pdf_text


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestPrintedDocument(L10nCrEinvoiceHttpCommon):

    def render(self, report, records):
        pdf, kind = self.env['ir.actions.report'].with_context(force_report_rendering=True)\
            ._render_qweb_pdf(report, records.ids)
        self.assertEqual(kind, 'pdf')
        return pdf

    def assert_issuer_and_document(self, move):
        text = pdf_text(self.render('account.account_invoices', move))
        document = move.l10n_cr_document_id
        company = self.company
        for what, value in [('name', company.name), ('cédula', company.vat),
                            ('address', company.street), ('e-mail', company.email),
                            ('clave', document.clave), ('consecutivo', document.consecutivo)]:
            self.assertIn(compact(value), text, f"the issuer's {what} is not printed")

    def test_invoice_and_credit_note_name_their_issuer(self):
        self.company.phone = '+506 2222 3333'
        invoice = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000, None, 10)])
        self.process_queue()
        self.assert_issuer_and_document(invoice)
        self.assertIn(compact('+506 2222 3333'), pdf_text(self.render('account.account_invoices', invoice)))
        wizard = self.env['account.move.reversal'].with_context(active_model='account.move', active_ids=invoice.ids)\
            .create({'reason': 'Devolución', 'journal_id': invoice.journal_id.id})
        credit_note = self.env['account.move'].browse(wizard.refund_moves()['res_id'])
        credit_note.action_post()
        self.assert_issuer_and_document(credit_note)
