from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import AnalyticsCommon


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestDashboard(AnalyticsCommon):
    """The dashboard's figures (l10n_cr.einvoice.analysis) against the documents themselves."""

    def setUp(self):
        super().setUp()
        self.accepted = (self.issue(self.partner_cr, [(self.product_laptop, 1, 450000)])
                         | self.issue(self.partner_anonymous, [(self.product_coffee, 3, 4000)])
                         | self.issue(self.partner_cr, [(self.product_service, 1, 25000)]))
        self.rejected = self.issue_rejected(self.partner_cr, [(self.product_service, 4, 25000)])
        # Posted but never sent (the queue does not run): waiting in "to send"
        self.waiting = self.make_invoice(self.partner_cr, [(self.product_laptop, 2, 450000)]).l10n_cr_document_id
        self.Analysis = self.env['l10n_cr.einvoice.analysis']
        self.mine = [('company_id', '=', self.company.id)]

    def test_counts_by_state_type_and_month(self):
        self.assertEqual(self.accepted.mapped('state'), ['accepted'] * 3)
        by_state = dict(self.Analysis._read_group(self.mine, ['state'], ['document_count:sum']))
        self.assertEqual(by_state, {'accepted': 3, 'rejected': 1, 'to_send': 1})
        by_type = dict(self.Analysis._read_group(self.mine, ['document_type'], ['__count']))
        self.assertEqual(by_type, {'01': 4, '04': 1})
        [(month, count)] = self.Analysis._read_group(self.mine, ['issue_day:month'], ['__count'])
        self.assertEqual(count, 5)
        self.assertEqual(month.month, self.waiting.issue_day.month)
        by_company = dict(self.Analysis._read_group([], ['company_id'], ['__count']))
        self.assertEqual(by_company[self.company], 5)

    def test_acceptance_rate_counts_answered_documents_only(self):
        summary = self.Analysis._l10n_cr_rate_summary(self.mine)
        self.assertEqual(summary, {'documents': 5, 'accepted': 3, 'rejected': 1, 'acceptance_rate': 75.0})
        # the same through the pivot's measure (an average over answered documents)
        rates = dict(self.Analysis._read_group(self.mine, ['document_type'], ['acceptance_rate:avg']))
        self.assertEqual((round(rates['01'], 2), rates['04']), (66.67, 100.0))
        self.assertIsNone(self.Analysis._l10n_cr_rate_summary([('id', '=', self.waiting.id)])['acceptance_rate'])

    def test_amounts_declared_per_period(self):
        [(tax, total)] = self.Analysis._read_group(self.mine, [], ['amount_tax_crc:sum', 'amount_total_crc:sum'])
        expected = sum(self.accepted.mapped('move_id.amount_tax'))
        self.assertEqual(tax, expected)
        self.assertEqual(total, sum(self.accepted.mapped('move_id.amount_total')))
        rejected_row = self.Analysis.browse(self.rejected.id)
        self.assertEqual(rejected_row.amount_total_crc, 0, "rejected documents declared nothing")

    def test_problems_with_their_reason_and_the_way_to_the_document(self):
        row = self.Analysis.search([*self.mine, ('needs_correction', '=', True)])
        self.assertEqual(row.document_id, self.rejected)
        self.assertIn('Rechazo forzado', row.reason)
        action = row.action_l10n_cr_open_document()
        self.assertEqual((action['res_model'], action['res_id']), ('l10n_cr.einvoice.document', self.rejected.id))
        self.assertFalse(self.Analysis.search([*self.mine, ('stuck', '=', True)]))
        # Five hours later the document that was never sent is stuck (alert time 4 h by default)
        self.waiting.sudo().issue_date = fields.Datetime.now() - timedelta(hours=5)
        stuck = self.Analysis.search([*self.mine, ('stuck', '=', True)])
        self.assertEqual(stuck.document_id, self.waiting)
        self.assertEqual(self.Document.search([('stuck', '=', True)]), self.waiting)
        self.assertTrue(self.waiting.stuck)
        self.company.l10n_cr_alert_unsent_hours = 6
        self.assertFalse(self.Analysis.search([*self.mine, ('stuck', '=', True)]))
        self.assertFalse(self.Document.search([('stuck', '=', True)]))

    def test_correcting_the_rejected_document_clears_it(self):
        move = self.rejected.move_id
        self.assertTrue(self.rejected.needs_correction)
        move.button_draft()
        move.action_post()
        self.process_queue()
        self.assertEqual(move.l10n_cr_document_id.replaced_document_id, self.rejected)
        self.rejected.invalidate_recordset()
        self.assertFalse(self.rejected.needs_correction)
        self.assertFalse(self.Analysis.search([*self.mine, ('needs_correction', '=', True)]))

    def test_views_load(self):
        for view_type in ('graph', 'pivot', 'list', 'search'):
            self.Analysis.get_view(view_type=view_type)
        self.env['l10n_cr.einvoice.tax.breakdown'].get_view(view_type='pivot')
