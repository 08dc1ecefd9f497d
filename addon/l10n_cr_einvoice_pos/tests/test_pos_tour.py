from odoo.tests import tagged

from .common import L10nCrPosHttpCommon


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestPosTour(L10nCrPosHttpCommon):

    def test_pos_tour(self):
        """In the browser: an anonymous sale, a sale made offline, a sale with a captured
        identification and a refund; each receipt shows its document, its QR code labelled beside
        Odoo's self-invoicing one; all four are accepted."""
        self.company.point_of_sale_use_ticket_qr_code = True
        self.pos_config.with_user(self.pos_user).open_ui()
        self.start_tour(f"/pos/ui/{self.pos_config.id}", 'l10n_cr_einvoice_pos_tour', login=self.pos_user.login)

        orders = self.env['pos.order'].search([('session_id', '=', self.pos_config.current_session_id.id)], order='id')
        documents = orders.l10n_cr_document_ids.sorted('id')
        self.assertEqual(
            [(d.document_type, d.number, d.state) for d in documents],
            [('04', 1, 'accepted'), ('04', 2, 'accepted'), ('01', 1, 'accepted'), ('03', 1, 'accepted')])
        sale, offline, factura, refund = orders
        self.assertLessEqual(offline.date_order, offline.l10n_cr_document_id.issue_date)
        self.assertEqual(factura.partner_id.vat, '105550777')
        self.assertEqual(factura.partner_id.email, 'maria@correo.cr')
        self.assertEqual(refund.refunded_order_id, sale)
        self.assertIn(sale.l10n_cr_clave.encode(), refund.l10n_cr_document_id.xml_attachment_id.raw)
        self.assertEqual(self.simulator_totals(), {'documents': 4, 'duplicate_posts': 0})
