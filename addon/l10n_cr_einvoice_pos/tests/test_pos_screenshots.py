"""The screenshots of docs/pos-guide.md, taken from the real UI. Not part of the test suite (tagged
out of 'standard'); run on request, then copy the PNGs into docs/img/pos/:

    scripts/odoo-test -m l10n_cr_einvoice_pos -t l10n_cr_einvoice_pos_screenshots
    # PNGs in .var/odoo-test/screenshots/l10n_cr_einvoice_pos/

The tours log a marker when the page shows what the guide describes; the page is captured then.
"""

from odoo.addons.l10n_cr_einvoice.tests.screenshots import TourScreenshots
from odoo.tests import tagged

from .common import L10nCrPosHttpCommon

POS_SHOTS = {'pos-receipt-ticket', 'pos-receipt-offline', 'pos-customer-id-invalid', 'pos-customer-id-new',
             'pos-payment-captured-id', 'pos-receipt-factura', 'pos-receipt-credit-note', 'pos-closing-warning',
             'pos-orders-accepted'}


@tagged('l10n_cr_einvoice_pos_screenshots', '-standard', 'post_install', '-at_install')
class TestPosScreenshots(TourScreenshots, L10nCrPosHttpCommon):

    screenshot_subdir = 'l10n_cr_einvoice_pos'

    def test_screenshots(self):
        # Odoo's own receipt QR (the self-invoicing portal) beside the clave's, each with its label.
        self.company.point_of_sale_use_ticket_qr_code = True
        self.pos_config.with_user(self.pos_user).open_ui()
        self.start_tour(f"/pos/ui/{self.pos_config.id}", 'l10n_cr_einvoice_pos_screenshots',
                        login=self.pos_user.login)
        self.assertEqual(self.saved, POS_SHOTS)

        session = self.pos_config.current_session_id
        orders = self.env['pos.order'].search([('session_id', '=', session.id)], order='id')
        # One more sale, of a product without its CABYS code: the order shows why it has no document.
        broken = self.env['pos.order'].sync_from_ui([self.order_values(
            session, [self.line_values(self.pos_no_cabys, 1)], user_id=self.pos_user.id)])['pos.order'][0]['id']
        pages = {
            'backend-order': f'/odoo/action-point_of_sale.action_pos_pos_form/{orders[2].id}',
            'backend-order-problem': f'/odoo/action-point_of_sale.action_pos_pos_form/{broken}',
            'backend-session': f'/odoo/action-point_of_sale.action_pos_session/{session.id}',
            'backend-payment-methods': '/odoo/action-point_of_sale.action_pos_payment_method_form',
            'backend-settings': '/odoo/action-point_of_sale.action_pos_configuration',
        }
        self.env.user.group_ids += self.env.ref('base.group_system')  # the settings page
        for name, url in pages.items():
            self.start_tour(url, f'l10n_cr_einvoice_pos_screenshot_{name}', login=self.env.user.login)
        self.assertEqual(self.saved, POS_SHOTS | set(pages))
