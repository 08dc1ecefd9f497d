from datetime import datetime

from odoo import fields
from odoo.tests import tagged

from ..sale_mapper import SaleMapper
from .common import L10nCrEinvoiceCommon
from .test_documents import text


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestHooks(L10nCrEinvoiceCommon):
    """What other sources of documents (the point of sale, supplier documents) build on."""

    def test_issue_date_given_by_the_source(self):
        """An order that reached the server late is documented on its sale date; the schema set
        in force on that date applies."""
        self.company.l10n_cr_schema_set = 'auto'
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)], post=False)
        sold = datetime(2026, 10, 30, 20, 15)  # UTC: 14:15 in Costa Rica, before the 2026 revision
        vals = {'move_id': move.id, 'partner_id': self.partner_cr.id, 'issue_date': sold}
        document = self.Document._l10n_cr_issue(self.company, '01', 1, 7, vals)
        self.assertNotIn('issue_date', vals)
        self.assertEqual(document.issue_date, sold)
        self.assertEqual(document.schema_set, 'v4.4')
        self.assertEqual(text(self.signed_tree(document), 'FechaEmision'), '2026-10-30T14:15:00-06:00')
        self.assertEqual(document.clave[3:9], '301026')

        before = fields.Datetime.now()
        today = self.Document._l10n_cr_issue(self.company, '01', 1, 7, {'move_id': move.id})
        self.assertTrue(before <= today.issue_date <= fields.Datetime.now())  # now, at any hour
        self.assertEqual(today.number, document.number + 1)

    def test_receptor_of_the_given_company(self):
        """A tiquete to the issuing company's own partner is anonymous, whatever company is current."""
        other = self.env['res.company'].create({'name': 'Otra Empresa S.A.'})
        self.assertIsNone(SaleMapper(self.env).receptor(self.company.partner_id, '04', [],
                                                                 company=self.company))
        self.assertEqual(SaleMapper(self.Document.with_company(other).env).receptor(
            self.company.partner_id, '04', [], company=self.company), None)
        self.assertEqual(SaleMapper(self.env).receptor(self.company.partner_id, '04', [], company=other),
                         {'Nombre': 'Empresa Demo S.A.', 'CorreoElectronico': 'facturacion@demo.cr'})

    def test_rejection_hint_and_related_records(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        document = move.l10n_cr_document_id
        self.assertEqual(document._l10n_cr_related_records(), [move])
        self.assertEqual(document._l10n_cr_notify_target(), move)
        document._l10n_cr_set_rejected('[regla] Motivo de prueba')
        self.assertEqual(document.error_message.split('\n'), [
            'Hacienda rejected this document: [regla] Motivo de prueba', document._l10n_cr_correction_hint()])
        self.assertIn('reset the invoice to draft', document.error_message)
        self.assertTrue(any('Motivo de prueba' in body for body in move.message_ids.mapped('body')))
        self.assertEqual(move.activity_ids.mapped('summary'), ['Rejected by Hacienda'])
