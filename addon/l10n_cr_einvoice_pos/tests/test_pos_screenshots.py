"""The screenshots of docs/pos-guide.md, taken from the real UI. Not part of the test suite (tagged
out of 'standard'); run on request, then copy the PNGs into docs/img/pos/:

    scripts/odoo-test -m l10n_cr_einvoice_pos -t l10n_cr_einvoice_pos_screenshots
    # PNGs in .var/odoo-test/screenshots/l10n_cr_einvoice_pos/

The tours log a marker when the page shows what the guide describes; the page is captured then.
"""

import base64
import logging
from pathlib import Path
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser
from odoo.tools import config

from .common import L10nCrPosHttpCommon

_logger = logging.getLogger(__name__)
MARKER = 'l10n_cr_screenshot:'
POS_SHOTS = {'pos-receipt-ticket', 'pos-receipt-offline', 'pos-customer-id-invalid', 'pos-customer-id-new',
             'pos-payment-captured-id', 'pos-receipt-factura', 'pos-receipt-credit-note', 'pos-closing-warning',
             'pos-orders-accepted'}


@tagged('l10n_cr_einvoice_pos_screenshots', '-standard', 'post_install', '-at_install')
class TestPosScreenshots(L10nCrPosHttpCommon):

    def setUp(self):
        super().setUp()
        if not config['screenshots']:
            self.fail("no screenshot directory: give odoo-bin --screenshots=DIR")
        self.shot_dir = Path(config['screenshots']) / 'l10n_cr_einvoice_pos'
        self.shot_dir.mkdir(parents=True, exist_ok=True)
        self.saved = set()
        original = ChromeBrowser._handle_console
        test = self

        def handle_console(browser, type, args=None, **kwargs):
            if type == 'log' and args:
                first = browser._from_remoteobject(args[0])
                if isinstance(first, str) and first.startswith(MARKER):
                    test._capture(browser, first[len(MARKER):])
            return original(browser, type, args=args, **kwargs)

        self.startPatcher(patch.object(ChromeBrowser, '_handle_console', handle_console))

    def _capture(self, browser, name):
        def save(future):
            try:
                data = future.result(timeout=0)['data']
            except Exception as exc:
                _logger.error("screenshot %s failed: %s", name, exc)
                return
            (self.shot_dir / f'{name}.png').write_bytes(base64.b64decode(data))
            self.saved.add(name)

        future = browser._websocket_send('Page.captureScreenshot', params={'format': 'png'}, with_future=True)
        future.add_done_callback(save)

    def test_screenshots(self):
        # Odoo's own receipt QR (the self-invoicing portal) would sit next to the clave's: left out here.
        self.company.point_of_sale_use_ticket_qr_code = False
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
