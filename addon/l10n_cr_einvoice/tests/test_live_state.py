"""Open forms follow Hacienda's answer: a document's state change is announced on the bus channel
of the document and of the records it is seen from, which a form showing them subscribes to
(static/src/live_state). The browser side is walked by the accountant's tour."""

import json
from unittest.mock import MagicMock, patch

from odoo import Command
from odoo.tests import tagged

from ..models.l10n_cr_einvoice_document import LIVE_STATE_CHANNEL, LIVE_STATE_NOTIFICATION
from .common import L10nCrEinvoiceCommon


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestLiveState(L10nCrEinvoiceCommon):

    def announced(self):
        """{(model, id): state} announced since the last call (the bus rows written at commit)."""
        self.env.cr.precommit.run()
        self.env.cr.postcommit.clear()
        announced = {}
        for row in self.env['bus.bus'].sudo().search([('id', '>', self.last_bus_id)], order='id'):
            self.last_bus_id = row.id
            channel, message = json.loads(row.channel), json.loads(row.message)
            if channel[-1] == LIVE_STATE_CHANNEL and message['type'] == LIVE_STATE_NOTIFICATION:
                payload = message['payload']
                self.assertEqual((channel[1], channel[2]), (payload['model'], payload['id']))
                announced[payload['model'], payload['id']] = payload['state']
        return announced

    def setUp(self):
        super().setUp()
        self.last_bus_id = self.env['bus.bus'].sudo()._bus_last_id()

    def test_state_changes_are_announced_to_the_invoice_and_the_document(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)])
        document = move.l10n_cr_document_id
        self.announced()
        self.process_queue()
        self.assertEqual(self.announced(), {('account.move', move.id): 'accepted',
                                            ('l10n_cr.einvoice.document', document.id): 'accepted'})
        document.sudo().write({'hacienda_status': 'aceptado'})
        self.assertEqual(self.announced(), {}, "only state changes are announced")

    def test_only_readers_of_a_record_follow_it(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)])
        other_company = self.env['res.company'].create({'name': 'Otra Empresa S.A.'})
        outsider = self.env['res.users'].create({
            'name': 'Ajeno', 'login': 'ajeno-cr', 'company_id': other_company.id,
            'company_ids': [Command.set(other_company.ids)],
            'group_ids': [Command.set(self.env.ref('account.group_account_invoice').ids)],
        })
        asked = [f'{LIVE_STATE_CHANNEL}:account.move:{move.id}', f'{LIVE_STATE_CHANNEL}:account.move:999999999',
                 f'{LIVE_STATE_CHANNEL}:no.such.model:1']
        def subscribed(user):
            websocket_request = MagicMock()
            websocket_request.session.uid = user.id
            with patch('odoo.addons.bus.models.ir_websocket.wsrequest', new=websocket_request):
                channels = self.env['ir.websocket'].with_user(user)._build_bus_channel_list(list(asked))
            return [channel for channel in channels if isinstance(channel, tuple) and channel[-1] == LIVE_STATE_CHANNEL]

        self.assertEqual(subscribed(self.env.user), [(move, LIVE_STATE_CHANNEL)])
        self.assertEqual(subscribed(outsider), [])
