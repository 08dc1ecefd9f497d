from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.l10n_cr_einvoice_document import EMAIL_BACKOFF
from .common import L10nCrEinvoiceCommon


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestDelivery(L10nCrEinvoiceCommon):
    """What the customer receives once Hacienda accepts: the e-mail with the PDF, the signed XML
    and Hacienda's answer; and the PDF's electronic-document block with its QR code."""

    def accepted_invoice(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        self.process_queue()
        self.assertEqual(move.l10n_cr_state, 'accepted')
        return move

    def test_email_sent_once_accepted(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        mails_before = self.env['mail.message'].search_count([('model', '=', 'account.move'), ('res_id', '=', move.id),
                                                               ('message_type', '=', 'comment')])
        self.assertEqual(mails_before, 0, "nothing is e-mailed before Hacienda's answer")
        self.process_queue()
        document = move.l10n_cr_document_id
        self.assertTrue(document.email_sent)
        message = self.env['mail.message'].search([('model', '=', 'account.move'), ('res_id', '=', move.id),
                                                   ('message_type', '=', 'comment')])
        self.assertEqual(len(message), 1)
        names = sorted(message.attachment_ids.mapped('name'))
        self.assertEqual(len(names), 3, names)
        self.assertIn(document.xml_attachment_id.name, names)
        self.assertIn(document.response_attachment_id.name, names)
        self.assertTrue(any(name.endswith('.pdf') for name in names))
        recipients = message.partner_ids.mapped('email')
        self.assertEqual(sorted(recipients), ['contabilidad@lasabana.cr', 'proveedores@lasabana.cr'])
        self.assertIn(document.clave, message.body)
        # Accepting again (a status re-check) does not mail again.
        document._l10n_cr_send_email()
        self.assertEqual(len(self.env['mail.message'].search([('model', '=', 'account.move'), ('res_id', '=', move.id),
                                                              ('message_type', '=', 'comment')])), 1)

    def comments(self, move):
        return self.env['mail.message'].search([('model', '=', 'account.move'), ('res_id', '=', move.id),
                                                ('message_type', '=', 'comment')])

    def test_failed_email_is_retried_by_the_queue_and_sent_once(self):
        """The e-mail fails (here: no PDF can be made): the acceptance stands, the failure is on the
        document, and the queue tries again after a backoff until it is sent — once."""
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        document = move.l10n_cr_document_id
        Report = type(self.env['ir.actions.report'])
        with patch.object(Report, '_pre_render_qweb_pdf', side_effect=UserError("wkhtmltopdf is not installed")):
            for _round in range(5):  # until Hacienda's answer, the e-mail attempted once
                document.sudo().next_try = False
                self.Document._l10n_cr_process_queue(time_budget=60)
                if document.state == 'accepted':
                    break
        self.assertEqual(document.state, 'accepted')
        self.assertFalse(document.email_sent)
        self.assertEqual(document.email_failures, 1)
        self.assertIn('wkhtmltopdf is not installed', document.email_error)
        self.assertIn('will be sent again automatically', document.email_error)
        wait = (document.email_next_try - fields.Datetime.now()).total_seconds()
        self.assertAlmostEqual(wait, EMAIL_BACKOFF[0], delta=3)
        self.assertFalse(self.comments(move), "nothing of the failed attempt was kept")
        self.assertIn('could not be sent', ' '.join(move.message_ids.mapped('body')))
        self.assertEqual(self.Document.search_count([('id', '=', document.id), ('email_next_try', '!=', False)]), 1)

        self.Document._l10n_cr_process_queue(time_budget=60)
        self.assertFalse(document.email_sent, "not before the backoff is over")
        self.process_queue()
        self.assertTrue(document.email_sent)
        self.assertFalse(document.email_next_try)
        self.assertFalse(document.email_error)
        self.assertEqual(len(self.comments(move)), 1)
        self.process_queue()
        self.assertEqual(len(self.comments(move)), 1, "never twice")

    def test_no_email_when_disabled(self):
        self.company.l10n_cr_auto_email = False
        move = self.accepted_invoice()
        self.assertFalse(move.l10n_cr_document_id.email_sent)
        self.assertFalse(self.env['mail.message'].search([('model', '=', 'account.move'), ('res_id', '=', move.id),
                                                          ('message_type', '=', 'comment')]))

    def test_pdf_shows_the_electronic_document(self):
        move = self.accepted_invoice()
        document = move.l10n_cr_document_id
        html = self.env['ir.actions.report']._render_qweb_html('account.report_invoice', move.ids)[0].decode()
        self.assertIn(document.clave, html)
        self.assertIn(document.consecutivo, html)
        self.assertIn('Electronic Invoice (01)', html)
        self.assertIn('Accepted', html)
        self.assertIn('data:image/png;base64,', html)
        self.assertTrue(move._l10n_cr_qr_src().startswith('data:image/png;base64,iVBOR'))

    def test_send_and_print_carries_the_xml_and_answer(self):
        move = self.accepted_invoice()
        document = move.l10n_cr_document_id
        attachments = self.env['account.move.send']._get_invoice_extra_attachments(move)
        self.assertIn(document.xml_attachment_id, attachments)
        self.assertIn(document.response_attachment_id, attachments)

    def test_send_and_print_warns_before_acceptance(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        wizard = self.env['account.move.send.wizard'].with_context(
            active_model='account.move', active_ids=move.ids).create({})
        self.assertIn('l10n_cr_einvoice_not_accepted', wizard.alerts)
        self.assertEqual(wizard.alerts['l10n_cr_einvoice_not_accepted']['level'], 'warning')

    def test_pdf_stored_before_acceptance_is_rendered_again(self):
        """Send & Print used before Hacienda's answer stores a PDF showing the document as pending;
        the e-mail after the acceptance carries a PDF rendered then, and the early one stays on the
        invoice under another name."""
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        self.env['account.move.send']._generate_and_send_invoices(move, sending_methods={'manual'})
        early = move.invoice_pdf_report_id
        self.assertTrue(early)
        self.assertIn(b'To send', early.raw)
        self.process_queue()
        self.assertEqual(move.l10n_cr_state, 'accepted')
        pdf = move.invoice_pdf_report_id
        self.assertTrue(pdf)
        self.assertNotEqual(pdf, early)
        self.assertIn(b'Accepted', pdf.raw)
        self.assertNotIn(b'To send', pdf.raw)
        self.assertIn("before Hacienda's acceptance", early.name)
        self.assertEqual((early.res_model, early.res_id, early.res_field), ('account.move', move.id, False))
        message = self.env['mail.message'].search([('model', '=', 'account.move'), ('res_id', '=', move.id),
                                                   ('message_type', '=', 'comment')])
        sent_pdf = message.attachment_ids.filtered(lambda a: a.name.endswith('.pdf'))
        self.assertEqual(sent_pdf.mapped('name'), [pdf.name])
        self.assertEqual(sent_pdf.raw, pdf.raw)
