"""A configured Costa Rican company (from the main module's test helpers, with the real Hacienda
simulator) plus a point of sale: payment methods mapped to every kind of MedioPago, products with
CABYS codes, and helpers that send orders the way the till does (``pos.order.sync_from_ui``)."""

import uuid
from datetime import timedelta

from lxml import etree
from odoo import Command, fields
from odoo.addons.l10n_cr_einvoice.tests.common import L10nCrEinvoiceCommon, L10nCrEinvoiceHttpCommon

ESTABLISHMENT = 1
TERMINAL = 2


class L10nCrPosSetup:

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_cr_pos()

    @classmethod
    def setup_cr_pos(cls):
        env = cls.env
        company = cls.company
        # The test user is an accountant; the point of sale is set up by its manager.
        env.user.group_ids += env.ref('point_of_sale.group_pos_manager')
        cls.pos_user = env['res.users'].create({
            'name': 'Cajera Tienda Central',
            'login': 'cr_pos_user',
            'password': 'cr_pos_user',
            'email': 'cajera@demo.cr',
            'company_id': company.id,
            'company_ids': [Command.set(company.ids)],
            'group_ids': [Command.set([env.ref('base.group_user').id, env.ref('point_of_sale.group_pos_user').id])],
        })
        receivable = company.account_default_pos_receivable_account_id
        outstanding = cls.outbound_payment_method_line.payment_account_id
        cash_journal = cls.company_data['default_journal_cash']
        bank_journal = cls.company_data['default_journal_bank']

        def method(name, journal, code=None):
            vals = {
                'name': name,
                'journal_id': journal.id,
                'receivable_account_id': receivable.id,
                'company_id': company.id,
            }
            if journal.type == 'bank':
                vals['outstanding_account_id'] = outstanding.id
            if code:
                vals['l10n_cr_payment_method_id'] = cls.code('payment_methods', code).id
            return env['pos.payment.method'].create(vals)

        cls.pm_cash = method('Efectivo', cash_journal)
        cls.pm_card = method('Tarjeta', bank_journal)
        cls.pm_sinpe = method('SINPE Móvil', bank_journal, '06')
        cls.pm_transfer = method('Transferencia', bank_journal, '04')
        cls.pm_cheque = method('Cheque', bank_journal, '03')
        cls.pm_platform = method('Plataforma digital', bank_journal, '07')
        cls.pm_account = env['pos.payment.method'].create({
            'name': 'Cuenta del cliente', 'split_transactions': True, 'company_id': company.id})
        cls.all_payment_methods = (cls.pm_cash | cls.pm_card | cls.pm_sinpe | cls.pm_transfer
                                   | cls.pm_cheque | cls.pm_platform | cls.pm_account)
        cls.pos_config = env['pos.config'].create({
            'name': 'Tienda Central',
            'module_pos_restaurant': False,
            'payment_method_ids': [Command.set(cls.all_payment_methods.ids)],
            'l10n_cr_establishment': ESTABLISHMENT,
            'l10n_cr_terminal': TERMINAL,
        })
        cls.cabys_pastry = cls.cabys('2399100000000', 'Productos de panadería', 13)
        cls.pos_coffee = env['product.product'].create({
            'name': 'Café molido 250 g',
            'type': 'consu',
            'available_in_pos': True,
            'uom_id': env.ref('uom.product_uom_unit').id,
            'l10n_cr_cabys_id': cls.cabys_coffee.id,
            'list_price': 3500,
            'taxes_id': [Command.set(cls.tax_1.ids)],
        })
        cls.pos_pastry = env['product.product'].create({
            'name': 'Empanada de queso',
            'type': 'consu',
            'available_in_pos': True,
            'default_code': 'EMP-Q',
            'uom_id': env.ref('uom.product_uom_unit').id,
            'l10n_cr_cabys_id': cls.cabys_pastry.id,
            'list_price': 1200,
            'taxes_id': [Command.set(cls.tax_13.ids)],
        })
        cls.pos_no_cabys = env['product.product'].create({
            'name': 'Artículo sin CABYS',
            'type': 'consu',
            'available_in_pos': True,
            'list_price': 500,
            'taxes_id': [Command.set(cls.tax_13.ids)],
        })

    # -- sessions and orders, as the till sends them ------------------------------------------

    def open_session(self, config=None):
        config = config or self.pos_config
        config.open_ui()
        session = config.current_session_id
        session.set_opening_control(0, None)
        return session

    def line_values(self, product, quantity, discount=0.0, price=None, refunded_line=None):
        price = product.lst_price if price is None else price
        taxes = product.taxes_id
        totals = taxes.compute_all(price * (1 - discount / 100.0), self.company.currency_id, quantity, product=product)
        values = {
            'uuid': str(uuid.uuid4()),
            'product_id': product.id,
            'qty': quantity,
            'price_unit': price,
            'discount': discount,
            'price_subtotal': totals['total_excluded'],
            'price_subtotal_incl': totals['total_included'],
            'tax_ids': [Command.set(taxes.ids)],
            'full_product_name': product.display_name,
        }
        if refunded_line:
            values['refunded_orderline_id'] = refunded_line.id
        return values

    def order_values(self, session, lines, payments=None, partner=None, change=0.0, date=None, **extra):
        """``lines``: line_values() dicts; ``payments``: (method, amount) pairs (default: cash for the
        total); ``change``: cash handed back (the till records it as a negative cash line)."""
        total = sum(line['price_subtotal_incl'] for line in lines)
        base = sum(line['price_subtotal'] for line in lines)
        payments = payments if payments is not None else [(self.pm_cash, total)]
        paid = sum(amount for _method, amount in payments)
        order_uuid = str(uuid.uuid4())
        return {
            'uuid': order_uuid,
            'name': f'Order {order_uuid[:8]}',
            'session_id': session.id,
            'user_id': self.env.uid,
            'partner_id': partner.id if partner else False,
            'pricelist_id': session.config_id.pricelist_id.id,
            'fiscal_position_id': False,
            'date_order': fields.Datetime.to_string(date or fields.Datetime.now()),
            'amount_total': total,
            'amount_tax': total - base,
            'amount_paid': paid,
            'amount_return': change,
            'lines': [Command.create(line) for line in lines],
            'payment_ids': [Command.create({
                'amount': amount,
                'payment_method_id': method.id,
                'payment_date': fields.Datetime.now(),
            }) for method, amount in payments],
            'last_order_preparation_change': '{}',
            'to_invoice': False,
            'state': 'paid',
            **extra,
        }

    def sync(self, *orders):
        """Send orders as the till does; returns the pos.order records."""
        result = self.env['pos.order'].sync_from_ui(list(orders))
        uuids = [order['uuid'] for order in orders]
        records = self.env['pos.order'].search([('uuid', 'in', uuids)])
        self.assertEqual(len(records), len(orders), result)
        return records.sorted(lambda r: uuids.index(r.uuid))

    def sell(self, products, session=None, **kwargs):
        """One paid order of ``products`` ((product, quantity[, discount]) pairs)."""
        session = session or self.session
        lines = [self.line_values(p[0], p[1], *p[2:]) for p in products]
        return self.sync(self.order_values(session, lines, **kwargs))

    def refund(self, order, quantities=None, session=None, payments=None, **kwargs):
        """Refund ``order`` (all of it, or {product: quantity}) as the till's Refund button does."""
        session = session or self.session
        lines = []
        for line in order.lines:
            quantity = (quantities or {}).get(line.product_id, line.qty)
            if quantity:
                lines.append(self.line_values(line.product_id, -quantity, line.discount, line.price_unit,
                                              refunded_line=line))
        total = sum(line['price_subtotal_incl'] for line in lines)
        payments = payments if payments is not None else [(self.pm_cash, total)]
        return self.sync(self.order_values(
            session, lines, payments=payments, partner=order.partner_id, is_refund=True, **kwargs))

    # -- reading documents -------------------------------------------------------------------------

    def xml(self, document):
        return etree.fromstring(document.xml_attachment_id.raw)

    def text(self, tree, path):
        found = tree.xpath(path, namespaces={'h': tree.nsmap[None]})
        return [node.text for node in found]

    def medio_pago(self, tree):
        return [(self.text(node, 'h:TipoMedioPago')[0], (self.text(node, 'h:TotalMedioPago') or [None])[0],
                 (self.text(node, 'h:MedioPagoOtros') or [None])[0])
                for node in tree.xpath('//h:ResumenFactura/h:MedioPago', namespaces={'h': tree.nsmap[None]})]

    def hours_ago(self, hours):
        return fields.Datetime.now() - timedelta(hours=hours)


class L10nCrPosCommon(L10nCrPosSetup, L10nCrEinvoiceCommon):

    def setUp(self):
        super().setUp()
        self.session = self.open_session()


class L10nCrPosHttpCommon(L10nCrPosSetup, L10nCrEinvoiceHttpCommon):
    pass
