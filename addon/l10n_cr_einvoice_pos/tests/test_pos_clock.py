"""Tickets sold at any hour: the clock frozen at 00:05, 05:59, 12:00 and 23:55 in Costa Rica (the
last one already the next day in UTC), each at its latest past occurrence. The ticket is dated at
the sale in Costa Rica (FechaEmision, the clave's day), issued in situación 1, and accepted."""

import base64

from odoo.addons.l10n_cr_einvoice.tests.common import PIN, backdated_certificate, frozen_at, latest_moments
from odoo.tests import tagged

from .common import L10nCrPosCommon


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestPosClock(L10nCrPosCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.l10n_cr_set_certificate(base64.b64encode(backdated_certificate()), PIN)

    def test_tickets_at_any_hour(self):
        documents = self.env['l10n_cr.einvoice.document']
        for moment in latest_moments():
            with self.subTest(moment=moment.isoformat()), frozen_at(moment):
                order = self.sell([(self.pos_coffee, 1), (self.pos_pastry, 2)])
                document = order.l10n_cr_document_ids
                self.assertEqual(document.document_type, '04')
                self.assertEqual(document.situation, '1')
                self.assertEqual(self.text(self.xml(document), '//h:FechaEmision'), [moment.isoformat()])
                self.assertEqual(document.clave[3:9], moment.strftime('%d%m%y'))
                documents |= document
        self.process_queue()
        self.assertEqual(documents.mapped('state'), ['accepted'] * 4)
