"""Documents posted at any hour: the clock frozen at 00:05, 05:59, 12:00 and 23:55 in Costa Rica
(the last one already the next day in UTC), each at its latest past occurrence so that the
simulator, on the real clock, receives documents of the past and never of the future.

FechaEmision, the clave's date, the schema set and the dates of the references (a credit
note's original, a purchase's supplier voucher known by its date alone, a payment receipt's
invoice) are Costa Rica's; Hacienda (the simulator) accepts every one of them."""

import base64
from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import CR, PIN, L10nCrEinvoiceCommon, backdated_certificate, frozen_at, latest_moments
from .test_documents import text


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestClock(L10nCrEinvoiceCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = 'America/Costa_Rica'
        cls.company.l10n_cr_schema_set = 'auto'
        # A certificate already valid at the frozen moments (they are up to a day old).
        cls.company.l10n_cr_set_certificate(base64.b64encode(backdated_certificate()), PIN)

    def test_latest_moments(self):
        now = datetime(2026, 12, 2, 8, 20, tzinfo=CR)
        self.assertEqual([m.isoformat() for m in latest_moments(now)], [
            '2026-12-02T00:05:00-06:00', '2026-12-02T05:59:00-06:00',
            '2026-12-01T12:00:00-06:00', '2026-12-01T23:55:00-06:00'])

    def test_documents_at_any_hour(self):
        documents = []
        for moment in latest_moments():
            with self.subTest(moment=moment.isoformat()), frozen_at(moment):
                documents += self.post_everything(moment)
        self.process_queue()
        for document in documents:
            self.assertEqual(document.state, 'accepted', f"{document.display_name}: {document.hacienda_message}")

    def post_everything(self, moment):
        today = moment.date()  # the Costa Rican day, not UTC's
        self.assertEqual(fields.Date.context_today(self.env.user), today)
        invoice = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)], post=False,
                                    invoice_date_due=today + timedelta(days=30))
        invoice.l10n_cr_sale_condition_id = self.code('sale_conditions', '10')
        invoice.action_post()
        note = invoice._reverse_moves([{'ref': 'Devolución parcial'}])
        note.invoice_line_ids.price_unit = 100000
        note.action_post()
        bill = self.make_invoice(self.supplier_fec, [(self.product_coffee, 10, 3500, self.tax_purchase_13)],
                                 move_type='in_invoice', ref='RE-77')
        self.env['account.payment.register'].with_context(active_model='account.move', active_ids=invoice.ids)\
            .create({'amount': 50000, 'payment_date': today})._create_payments()
        receipt = self.Document.search([('move_id', '=', invoice.id), ('document_type', '=', '10')])
        documents = [invoice.l10n_cr_document_id, note.l10n_cr_document_id,
                     bill.l10n_cr_document_id, receipt]
        expected_set = 'v4.4-2026' if today >= datetime(2026, 11, 1).date() else 'v4.4'
        for document in documents:
            tree = self.signed_tree(document)
            self.assertEqual(text(tree, 'FechaEmision'), moment.isoformat(), document.display_name)
            self.assertEqual(document.clave[3:9], moment.strftime('%d%m%y'), document.display_name)
            self.assertEqual(document.schema_set, expected_set)
            for reference in tree.findall('{*}InformacionReferencia'):
                self.assertLessEqual(text(reference, 'FechaEmisionIR'), moment.isoformat(), document.display_name)
        # The supplier's voucher, known by its date: the start of that day in Costa Rica.
        self.assertEqual(text(self.signed_tree(documents[2]), 'InformacionReferencia/FechaEmisionIR'),
                         f'{today.isoformat()}T00:00:00-06:00')
        return documents

    def test_schema_set_of_the_costa_rican_day(self):
        """31 October at 23:55 in Costa Rica is already 1 November in UTC: still the 2024 set."""
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)], post=False)
        vals = {'move_id': move.id, 'partner_id': self.partner_cr.id, 'issue_date': datetime(2026, 11, 1, 5, 55)}
        document = self.Document._l10n_cr_issue(self.company, '01', 1, 9, vals)
        self.assertEqual(document.schema_set, 'v4.4')
        self.assertEqual(document.clave[3:9], '311026')
        self.assertEqual(text(self.signed_tree(document), 'FechaEmision'), '2026-10-31T23:55:00-06:00')
        later = self.Document._l10n_cr_issue(self.company, '01', 1, 9, {
            'move_id': move.id, 'partner_id': self.partner_cr.id, 'issue_date': datetime(2026, 11, 1, 6, 5)})
        self.assertEqual(later.schema_set, 'v4.4-2026')
