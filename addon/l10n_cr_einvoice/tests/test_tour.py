from odoo import Command
from odoo.tests import tagged

from .common import L10nCrEinvoiceHttpCommon


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestTour(L10nCrEinvoiceHttpCommon):

    def test_invoice_tour(self):
        self.env['product.product'].create({
            'name': 'Consultoría tributaria',
            'type': 'service',
            'lst_price': 75000,
            'l10n_cr_cabys_id': self.cabys_software.id,
            'taxes_id': [Command.set(self.tax_13.ids)],
        })
        self.start_tour('/odoo/action-account.res_partner_action_customer', 'l10n_cr_einvoice_tour', login=self.env.user.login)
        move = self.env['account.move'].search([('partner_id.name', '=', 'Distribuidora Tica S.A.')])
        self.assertEqual(move.l10n_cr_state, 'accepted')
        self.assertEqual(move.partner_id.l10n_cr_id_type_id.code, '02')
        self.assertEqual(move.l10n_cr_document_id.document_type, '01')
