"""Several sessions selling at once, with real, separate database cursors (as two tills' requests
have) and committed data: the numbering of a terminal stays gap-free.

The documents made here are sent to this class's simulator before it ends (see the main module's
tests/real_cursors.py).
"""

import threading
import time
import uuid

from odoo import Command, fields
from odoo.addons.l10n_cr_einvoice.tests.common import configure_company
from odoo.addons.l10n_cr_einvoice.tests.real_cursors import ADMIN_ID, RealCursorsCase
from odoo.tests import tagged

SHARED_TERMINAL = 7
OTHER_TERMINAL = 8


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestConcurrentSessions(RealCursorsCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_queue_simulator()
        with cls.environment() as env:
            cls._setup(env)

    @classmethod
    def _setup(cls, env):
        company = configure_company(env, 'Tiendas Simultáneas S.A.', 'facturacion@simultaneas.cr',
                                    'Avenida Central, local 9')
        env = company.env
        cls.company_id = company.id
        cabys = env['l10n_cr.cabys'].search([('code', '=', '8314100000000')]) or env['l10n_cr.cabys'].create(
            {'code': '8314100000000', 'name': 'Servicios de software'})
        # A service: no stock move, so the only row two sales contend for is their terminal's numbering.
        product = env['product.product'].create({
            'name': 'Instalación', 'type': 'service', 'available_in_pos': True, 'list_price': 1000,
            'l10n_cr_cabys_id': cabys.id, 'taxes_id': [Command.set(company.account_sale_tax_id.ids)]})
        # Plain values: records die with the cursor that read them.
        cls.product = {'id': product.id, 'name': product.name, 'price': product.list_price,
                       'tax_ids': product.taxes_id.ids, 'tax_rate': product.taxes_id.amount / 100}
        bank = env['account.journal'].search([('company_id', '=', company.id), ('type', '=', 'bank')], limit=1)
        sessions = {}
        for name, terminal in (('Caja 1', SHARED_TERMINAL), ('Caja 2', SHARED_TERMINAL), ('Caja 3', OTHER_TERMINAL)):
            method = env['pos.payment.method'].create({'name': f'Tarjeta {name}', 'journal_id': bank.id,
                                                       'company_id': company.id})
            pos_config = env['pos.config'].create({
                'name': name, 'company_id': company.id, 'payment_method_ids': [Command.set(method.ids)],
                'l10n_cr_establishment': 1, 'l10n_cr_terminal': terminal})
            pos_config.open_ui()
            sessions[name] = (pos_config.current_session_id.id, method.id)
        cls.sessions = sessions

    def order(self, till):
        session_id, method_id = self.sessions[till]
        product = self.product
        price = product['price']
        total = round(price * (1 + product['tax_rate']), 2)
        order_uuid = str(uuid.uuid4())
        return {
            'uuid': order_uuid, 'name': f'Order {order_uuid[:8]}', 'session_id': session_id, 'user_id': ADMIN_ID,
            'partner_id': False, 'date_order': fields.Datetime.to_string(fields.Datetime.now()),
            'amount_total': total, 'amount_tax': total - price, 'amount_paid': total, 'amount_return': 0,
            'lines': [Command.create({
                'uuid': str(uuid.uuid4()), 'product_id': product['id'], 'qty': 1, 'price_unit': price,
                'discount': 0, 'price_subtotal': price, 'price_subtotal_incl': total,
                'tax_ids': [Command.set(product['tax_ids'])], 'full_product_name': product['name']})],
            'payment_ids': [Command.create({'amount': total, 'payment_method_id': method_id,
                                            'payment_date': fields.Datetime.now()})],
            'last_order_preparation_change': '{}', 'to_invoice': False, 'state': 'paid',
        }

    def consecutivos(self, orders):
        with self.environment() as env:
            found = env['pos.order'].search([('uuid', 'in', [o['uuid'] for o in orders])])
            by_uuid = {o.uuid: o.l10n_cr_document_ids.mapped('consecutivo') for o in found}
        return [by_uuid.get(o['uuid']) for o in orders]

    def test_sessions_selling_at_once_keep_their_terminal_gap_free(self):
        first, second, elsewhere = self.order('Caja 1'), self.order('Caja 2'), self.order('Caja 3')
        outcome = {}

        def till_2_sells():
            try:
                with self.environment() as till_2:
                    till_2.cr.execute("SET LOCAL statement_timeout = '20s'")  # fail, never hang, if anything blocked
                    till_2['pos.order'].sync_from_ui([second])
            except Exception as exc:  # what it raised is the point of the test
                outcome['error'] = exc

        with self.assertNoLogs('odoo.sql_db', level='ERROR'):
            with self.environment() as till_1:
                # Till 1's sale is numbered and not committed yet: it holds terminal 7's next number.
                till_1['pos.order'].sync_from_ui([first])
                thread = threading.Thread(target=till_2_sells)
                thread.start()
                self.wait_until_waiting(till_1, outcome)
                with self.environment() as till_3:
                    till_3['pos.order'].sync_from_ui([elsewhere])  # another terminal is not held up
            # Till 1 committed: till 2's sale, which waited for it, takes the next number.
            thread.join(30)
        self.assertFalse(thread.is_alive())
        self.assertNotIn('error', outcome, "the waiting sale is not failed (no request run again)")
        self.assertEqual(self.consecutivos([first, second, elsewhere]), [
            [f'001{SHARED_TERMINAL:05d}040000000001'],
            [f'001{SHARED_TERMINAL:05d}040000000002'],
            [f'001{OTHER_TERMINAL:05d}040000000001'],
        ])
        self.assertEqual(self.send_all(), ['accepted'] * 3)

    def wait_until_waiting(self, holder, outcome, timeout=20):
        """Until the other till's request waits for a lock ``holder``'s transaction has."""
        holder.cr.execute("SELECT pg_backend_pid()")
        [pid] = holder.cr.fetchone()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not outcome:
            with self.environment() as observer:
                observer.cr.execute("""SELECT count(*) FROM pg_stat_activity
                                        WHERE datname = current_database() AND %s = ANY(pg_blocking_pids(pid))""",
                                    [pid])
                if observer.cr.fetchone()[0]:
                    return
            time.sleep(0.05)
        self.fail(f"till 2's sale never waited for till 1's: {outcome}")

    def send_all(self, rounds=5):
        """Run the queue until this company's documents are answered; their final states."""
        for _round in range(rounds):
            with self.environment() as env:
                documents = env['l10n_cr.einvoice.document'].search([('company_id', '=', self.company_id)])
                if not documents.filtered(lambda d: d.state in ('to_send', 'sent')):
                    return documents.mapped('state')
                documents.sudo().write({'next_try': False})
            with self.environment() as env:
                env['l10n_cr.einvoice.document']._l10n_cr_process_queue(time_budget=60)
        return None
