from datetime import datetime, time, timedelta
from decimal import Decimal

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import ESTABLISHMENT, TERMINAL, L10nCrPosCommon


def consecutivo(doc_type, number, establishment=ESTABLISHMENT, terminal=TERMINAL):
    return f"{establishment:03d}{terminal:05d}{doc_type}{number:010d}"


def costa_rica_text(utc):
    """FechaEmision as the library writes it: Costa Rica time (UTC-6, no daylight saving)."""
    return f"{utc - timedelta(hours=6):%Y-%m-%dT%H:%M:%S}-06:00"


# The clave: 506, the day (ddmmyy), the emitter (12), the consecutivo (20), the situación, the code.
CLAVE_DATE = slice(3, 9)
CLAVE_SITUATION = 41


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestPosDocuments(L10nCrPosCommon):

    def test_orders_of_two_devices_have_different_names(self):
        """Each device of a point of sale numbers its references from 1, and so does the server for
        orders sent to it otherwise: the orders' names stay different all the same."""
        config_id = self.pos_config.id

        def order(**reference):
            return self.sync(self.order_values(self.session, [self.line_values(self.pos_coffee, 1)], **reference))

        till = order(pos_reference=f'261-{config_id}-000001')
        second_till = order(pos_reference=f'262-{config_id}-000001')
        script = order()  # the server's own reference
        names = (till | second_till | script).mapped('name')
        self.assertEqual(len(set(names)), 3, names)
        self.assertTrue(all(name.startswith('Tienda Central - ') for name in names), names)

    def test_anonymous_sale_issues_a_tiquete(self):
        order = self.sell([(self.pos_coffee, 2), (self.pos_pastry, 3, 10.0)])
        document = order.l10n_cr_document_ids
        self.assertEqual(len(document), 1)
        self.assertEqual(document.document_type, '04')
        self.assertEqual(document.consecutivo, consecutivo('04', 1))
        self.assertEqual(document.pos_session_id, self.session)
        self.assertEqual(order.l10n_cr_state, 'to_send')
        self.assertEqual(order.l10n_cr_clave, document.clave)
        tree = self.xml(document)
        self.assertEqual(tree.tag.split('}')[1], 'TiqueteElectronico')
        self.assertFalse(tree.xpath('//*[local-name()="Receptor"]'))
        self.assertEqual(self.text(tree, '//h:LineaDetalle/h:CodigoCABYS'),
                         [self.cabys_coffee.code, self.cabys_pastry.code])
        self.assertEqual(self.text(tree, '//h:LineaDetalle/h:Cantidad'), ['2.000', '3.000'])
        # The 10 % line discount of the pastry, on the price without VAT.
        self.assertEqual(self.text(tree, '//h:LineaDetalle/h:Descuento/h:MontoDescuento'), ['360.00000'])
        self.assertEqual(self.text(tree, '//h:LineaDetalle/h:Impuesto/h:CodigoTarifaIVA'), ['02', '08'])
        self.assertEqual(self.medio_pago(tree), [('01', None, None)])
        self.assertEqual(self.text(tree, '//h:Otros/h:OtroTexto'), [order.pos_reference or order.name])
        total = float(self.text(tree, '//h:TotalComprobante')[0])
        self.assertAlmostEqual(total, order.amount_total, delta=0.01)

        self.process_queue()
        self.assertEqual(document.state, 'accepted')
        self.assertEqual(order.l10n_cr_state, 'accepted')
        self.assertTrue(document.response_attachment_id)

    def test_captured_identification_issues_a_factura(self):
        order = self.sell([(self.pos_pastry, 1)], l10n_cr_customer_id_type='01',
                          l10n_cr_customer_id_number='1-0555-0777', l10n_cr_customer_name='María  Rodríguez Solís',
                          l10n_cr_customer_email='maria@correo.cr')
        partner = order.partner_id
        self.assertEqual((partner.name, partner.vat, partner.l10n_cr_id_type_id.code, partner.email),
                         ('María Rodríguez Solís', '105550777', '01', 'maria@correo.cr'))
        document = order.l10n_cr_document_ids
        self.assertEqual(document.document_type, '01')
        self.assertEqual(document.consecutivo, consecutivo('01', 1))
        tree = self.xml(document)
        self.assertEqual(self.text(tree, '//h:Receptor/h:Identificacion/h:Tipo'), ['01'])
        self.assertEqual(self.text(tree, '//h:Receptor/h:Identificacion/h:Numero'), ['105550777'])
        self.assertEqual(self.text(tree, '//h:Receptor/h:Nombre'), ['María Rodríguez Solís'])

        # The same customer comes back: found by the identification, not created twice.
        again = self.sell([(self.pos_coffee, 1)], l10n_cr_customer_id_type='01', l10n_cr_customer_id_number='105550777')
        self.assertEqual(again.partner_id, partner)
        self.assertEqual(again.l10n_cr_document_ids.consecutivo, consecutivo('01', 2))

        self.process_queue()
        self.assertEqual((order | again).mapped('l10n_cr_state'), ['accepted', 'accepted'])
        # The customer gets the signed XML and Hacienda's answer by e-mail.
        self.assertTrue(document.email_sent)
        mail = self.env['mail.message'].search([
            ('model', '=', document._name), ('res_id', '=', document.id), ('message_type', '=', 'comment')])
        self.assertEqual(len(mail), 1)
        self.assertEqual(sorted(mail.attachment_ids.mapped('name')),
                         sorted((document.xml_attachment_id | document.response_attachment_id).mapped('name')))
        self.assertIn(document.clave, mail.body)
        self.assertEqual(mail.partner_ids.mapped('email'), ['maria@correo.cr'])

    def test_captured_identification_of_a_known_company(self):
        """A company whose Tax ID is written with dashes is found from the bare number."""
        self.partner_cr.vat = '3-102-654321'
        order = self.sell([(self.pos_pastry, 2)], l10n_cr_customer_id_type='02',
                          l10n_cr_customer_id_number='3102654321')
        self.assertEqual(order.partner_id, self.partner_cr)
        tree = self.xml(order.l10n_cr_document_ids)
        self.assertEqual(self.text(tree, '//h:CodigoActividadReceptor'), [self.partner_cr.l10n_cr_activity_id.code])
        self.assertEqual(self.text(tree, '//h:Receptor/h:Identificacion/h:Numero'), ['3102654321'])

    def test_invalid_captured_identification_falls_back_to_a_tiquete(self):
        partners = self.env['res.partner'].search_count([])
        order = self.sell([(self.pos_coffee, 1)], l10n_cr_customer_id_type='01',
                          l10n_cr_customer_id_number='12345', l10n_cr_customer_name='Nadie')
        self.assertEqual(self.env['res.partner'].search_count([]), partners)
        self.assertEqual(order.l10n_cr_document_ids.document_type, '04')
        self.assertTrue(any('12345' in body for body in order.message_ids.mapped('body')))

    def test_selected_customer_without_identification_gets_a_tiquete_with_name(self):
        order = self.sell([(self.pos_coffee, 1)], partner=self.partner_anonymous)
        tree = self.xml(order.l10n_cr_document_ids)
        self.assertEqual(order.l10n_cr_document_ids.document_type, '04')
        self.assertEqual(self.text(tree, '//h:Receptor/h:Nombre'), ['Cliente de contado'])
        self.assertFalse(self.text(tree, '//h:Receptor/h:Identificacion/h:Numero'))

    def test_refunds_issue_credit_notes_referencing_the_original(self):
        sale = self.sell([(self.pos_coffee, 2), (self.pos_pastry, 4)])
        ticket = sale.l10n_cr_document_ids
        partial = self.refund(sale, {self.pos_coffee: 1, self.pos_pastry: 0})
        note = partial.l10n_cr_document_ids
        self.assertEqual(note.document_type, '03')
        self.assertEqual(note.consecutivo, consecutivo('03', 1))
        tree = self.xml(note)
        self.assertEqual(self.text(tree, '//h:InformacionReferencia/h:TipoDocIR'), ['04'])
        self.assertEqual(self.text(tree, '//h:InformacionReferencia/h:Numero'), [ticket.clave])
        self.assertEqual(self.text(tree, '//h:InformacionReferencia/h:Codigo'), ['06'])
        self.assertEqual(self.text(tree, '//h:LineaDetalle/h:Cantidad'), ['1.000'])
        self.assertAlmostEqual(float(self.text(tree, '//h:TotalComprobante')[0]), -partial.amount_total, delta=0.01)

        # A Factura refunded in full: the note is addressed to the customer and cancels it (01).
        invoice_sale = self.sell([(self.pos_pastry, 1)], partner=self.partner_cr)
        factura = invoice_sale.l10n_cr_document_ids
        self.assertEqual(factura.document_type, '01')
        full = self.refund(invoice_sale)
        tree = self.xml(full.l10n_cr_document_ids)
        self.assertEqual(self.text(tree, '//h:InformacionReferencia/h:TipoDocIR'), ['01'])
        self.assertEqual(self.text(tree, '//h:InformacionReferencia/h:Numero'), [factura.clave])
        self.assertEqual(self.text(tree, '//h:InformacionReferencia/h:Codigo'), ['01'])
        self.assertEqual(self.text(tree, '//h:Receptor/h:Identificacion/h:Numero'), ['3102654321'])
        self.assertEqual(full.l10n_cr_document_ids.consecutivo, consecutivo('03', 2))

        self.process_queue()
        self.assertEqual((sale | partial | invoice_sale | full).mapped('l10n_cr_state'), ['accepted'] * 4)

    def test_mixed_payments_give_one_medio_pago_per_code(self):
        lines = [(self.pos_pastry, 5), (self.pos_coffee, 1)]  # 5 × 1200 + 13 % VAT, 3500 + 1 %
        total = 5 * 1200 * 1.13 + 3500 * 1.01
        # Cash handed over 5000 with 1000 back; two card swipes; the rest by SINPE Móvil.
        order = self.sell(lines, payments=[(self.pm_cash, 5000), (self.pm_card, 1000), (self.pm_card, 500),
                                           (self.pm_sinpe, total - 4000 - 1500), (self.pm_cash, -1000)])
        tree = self.xml(order.l10n_cr_document_ids)
        entries = self.medio_pago(tree)
        self.assertEqual([(code, float(amount)) for code, amount, _other in entries],
                         [('06', round(total - 5500, 2)), ('01', 4000.0), ('02', 1500.0)])
        self.assertAlmostEqual(sum(float(amount) for _c, amount, _o in entries),
                               float(self.text(tree, '//h:TotalComprobante')[0]), places=5)
        self.process_queue()
        self.assertEqual(order.l10n_cr_state, 'accepted')

    def test_more_than_four_payment_codes_are_merged_into_other(self):
        total = 10 * 1200 * 1.13
        payments = [(self.pm_cash, 5000), (self.pm_card, 3000), (self.pm_sinpe, 2000), (self.pm_transfer, 1500),
                    (self.pm_cheque, 1000), (self.pm_platform, total - 12500)]
        order = self.sell([(self.pos_pastry, 10)], payments=payments)
        entries = self.medio_pago(self.xml(order.l10n_cr_document_ids))
        self.assertEqual([code for code, _a, _o in entries], ['01', '02', '06', '99'])
        self.assertEqual(float(entries[3][1]), round(total - 10000, 2))
        self.assertEqual(entries[3][2], 'Other: Transferencia - depósito bancario, Plataforma Digital, Cheque')
        self.process_queue()
        self.assertEqual(order.l10n_cr_state, 'accepted')

    def test_payments_are_shared_out_from_the_documents_own_total(self):
        """The total the payments are shared out from is computed from the lines and charges alone
        (no document is built for it), and it is the issued document's TotalComprobante to the digit:
        plain, discounted, mixed-rate, with a service charge, and a refund's credit note."""
        service = self.env['product.product'].create({
            'name': 'Servicio 10 %', 'type': 'service', 'available_in_pos': True, 'taxes_id': [Command.clear()],
            'l10n_cr_other_charge_type_id': self.code('other_charge_types', '06').id})

        def paid_in_two(lines, cash):
            lines = [self.line_values(*line) for line in lines]
            total = sum(line['price_subtotal_incl'] for line in lines)
            return self.sync(self.order_values(self.session, lines, payments=[(self.pm_cash, cash),
                                                                              (self.pm_card, total - cash)]))

        mixed = paid_in_two([(self.pos_pastry, 5), (self.pos_coffee, 1, 15.0)], 3000)
        orders = [
            self.sell([(self.pos_pastry, 1)]),
            self.sell([(self.pos_pastry, 3, 12.5)]),
            mixed,
            paid_in_two([(self.pos_pastry, 3), (service, 1, 0.0, 360)], 2000),
            self.refund(mixed),
        ]
        for order in orders:
            with self.subTest(order=order.name):
                document = order.l10n_cr_document_ids
                self.assertEqual(len(document), 1, order.l10n_cr_issue_error)
                values, _labels = document._l10n_cr_source_values()
                issued = Decimal(self.text(self.xml(document), '//h:TotalComprobante')[0])
                self.assertEqual(order._l10n_cr_document_total(values, document), issued)
                entries = self.medio_pago(self.xml(document))
                if len(entries) > 1:
                    self.assertEqual(sum(Decimal(amount) for _c, amount, _o in entries), issued)

    def test_sale_on_the_customer_account_is_a_credit_sale(self):
        term = self.env['account.payment.term'].create({
            'name': '30 días', 'line_ids': [Command.create({'value': 'percent', 'value_amount': 100, 'nb_days': 30})]})
        self.partner_cr.property_payment_term_id = term
        total = 2 * 1200 * 1.13
        order = self.sell([(self.pos_pastry, 2)], partner=self.partner_cr,
                          payments=[(self.pm_cash, 1000), (self.pm_account, total - 1000)])
        self.assertEqual(self.pm_account.type, 'pay_later')
        tree = self.xml(order.l10n_cr_document_ids)
        self.assertEqual(self.text(tree, '//h:CondicionVenta'), ['02'])
        self.assertEqual(self.text(tree, '//h:PlazoCredito'), ['30'])
        self.assertEqual([(code, float(amount)) for code, amount, _o in self.medio_pago(tree)],
                         [('04', round(total - 1000, 2)), ('01', 1000.0)])
        self.process_queue()
        self.assertEqual(order.l10n_cr_state, 'accepted')

    def test_service_charge_is_an_other_charge(self):
        """A restaurant's 10 % service charge sold as a product flagged as an other charge: an
        OtrosCargos entry without tax, not a line; the payments still add up to the total. The credit
        note of its refund states it as a positive charge. A taxed charge leaves the order without document."""
        service = self.env['product.product'].create({
            'name': 'Servicio 10 %', 'type': 'service', 'available_in_pos': True, 'taxes_id': [Command.clear()],
            'l10n_cr_other_charge_type_id': self.code('other_charge_types', '06').id})
        total = 3 * 1200 * 1.13 + 360
        order = self.sell([(self.pos_pastry, 3), (service, 1, 0.0, 360)],
                          payments=[(self.pm_cash, 2000), (self.pm_card, total - 2000)])
        tree = self.xml(order.l10n_cr_document_ids)
        self.assertEqual(self.text(tree, '//h:LineaDetalle/h:Detalle'), ['[EMP-Q] Empanada de queso'])
        self.assertEqual([self.text(tree, f'//h:OtrosCargos/h:{name}') for name in ('TipoDocumentoOC', 'Detalle', 'MontoCargo')],
                         [['06'], ['Servicio 10 %'], ['360.00000']])
        self.assertEqual(self.text(tree, '//h:TotalOtrosCargos'), ['360.00000'])
        document_total = float(self.text(tree, '//h:TotalComprobante')[0])
        self.assertAlmostEqual(document_total, order.amount_total, delta=0.01)
        self.assertAlmostEqual(sum(float(amount) for _c, amount, _o in self.medio_pago(tree)), document_total, places=5)

        refund = self.refund(order)
        tree = self.xml(refund.l10n_cr_document_ids)
        self.assertEqual(self.text(tree, '//h:OtrosCargos/h:MontoCargo'), ['360.00000'])
        self.assertEqual(self.text(tree, '//h:InformacionReferencia/h:Codigo'), ['01'])
        self.process_queue()
        self.assertEqual((order | refund).mapped('l10n_cr_state'), ['accepted', 'accepted'])

        service.taxes_id = self.tax_13
        taxed = self.sell([(self.pos_pastry, 1), (service, 1, 0.0, 120)])
        self.assertEqual(taxed.l10n_cr_state, 'not_issued')
        self.assertIn('Other charge 1 (Servicio 10 %): an other charge carries no tax', taxed.l10n_cr_issue_error)

    def test_order_synced_late_is_dated_at_the_sale_without_internet(self):
        """An order paid while the till was offline reaches the server hours later (through the same
        call the till makes when it reconnects): its document is dated at the sale, in situación 3
        (sin internet), and takes the terminal's next number when it arrives — after a document
        issued meanwhile although its date is earlier."""
        online = self.sell([(self.pos_coffee, 1)])
        late = self.sell([(self.pos_pastry, 2)], date=self.hours_ago(5))
        first, document = online.l10n_cr_document_ids, late.l10n_cr_document_ids
        self.assertEqual((first.consecutivo, first.situation, first.issue_date),
                         (consecutivo('04', 1), '1', online.date_order))
        self.assertEqual(first.clave[CLAVE_SITUATION], '1')
        self.assertGreater(late.l10n_cr_received_date - late.date_order, timedelta(hours=4))
        self.assertEqual((document.consecutivo, document.situation, document.issue_date),
                         (consecutivo('04', 2), '3', late.date_order))
        self.assertEqual(document.clave[CLAVE_SITUATION], '3')
        self.assertEqual(document.clave[CLAVE_DATE], f"{late.date_order - timedelta(hours=6):%d%m%y}")
        self.assertEqual(self.text(self.xml(document), '//h:FechaEmision'), [costa_rica_text(late.date_order)])
        self.process_queue()
        self.assertEqual((first | document).mapped('state'), ['accepted', 'accepted'])

    def test_sale_before_midnight_synced_after_keeps_its_day(self):
        """A sale at 23:50 (Costa Rica) that reaches the server after midnight: FechaEmision and the
        clave carry the sale's day (the library refuses a clave whose day differs from FechaEmision)."""
        today = (fields.Datetime.now() - timedelta(hours=6)).date()
        sold = datetime.combine(today - timedelta(days=1), time(23, 50)) + timedelta(hours=6)  # in UTC
        order = self.sell([(self.pos_coffee, 1)], date=sold)
        document = order.l10n_cr_document_ids
        self.assertEqual(document.clave[CLAVE_DATE], f"{today - timedelta(days=1):%d%m%y}")
        self.assertEqual(self.text(self.xml(document), '//h:FechaEmision'),
                         [f"{today - timedelta(days=1):%Y-%m-%d}T23:50:00-06:00"])
        self.assertEqual(document.situation, '3')
        self.process_queue()
        self.assertEqual(document.state, 'accepted')

    def test_offline_delay_of_the_point_of_sale(self):
        """Up to the point of sale's offline delay (5 minutes unless set) an order is taken as sold
        online: situación 1, still dated at the sale. A shorter delay makes the same lag situación 3.
        A till whose clock runs ahead does not date its documents in the future."""
        self.assertEqual(self.pos_config.l10n_cr_offline_delay, 5)
        two_minutes_ago = fields.Datetime.now() - timedelta(minutes=2)
        soon = self.sell([(self.pos_coffee, 1)], date=two_minutes_ago)
        document = soon.l10n_cr_document_ids
        self.assertEqual((document.situation, document.issue_date), ('1', two_minutes_ago))

        self.pos_config.l10n_cr_offline_delay = 1
        later = self.sell([(self.pos_coffee, 1)], date=two_minutes_ago)
        self.assertEqual(later.l10n_cr_document_ids.situation, '3')

        ahead = self.sell([(self.pos_coffee, 1)], date=fields.Datetime.now() + timedelta(minutes=10))
        document = ahead.l10n_cr_document_ids
        self.assertLessEqual(document.issue_date, fields.Datetime.now())
        self.assertEqual(document.situation, '1')
        self.process_queue()
        self.assertEqual((soon | later | ahead).mapped('l10n_cr_state'), ['accepted'] * 3)

        with self.assertRaisesRegex(ValidationError, 'offline delay must be a number of minutes from 1 to 1440'):
            self.pos_config.l10n_cr_offline_delay = 0

    def test_credit_note_never_dated_before_the_document_it_references(self):
        """Sold and refunded offline; the sale's document was rejected and replaced once the orders
        arrived. The refund's credit note references the replacement, so it cannot be dated at the
        refund: it takes the replacement's date (Hacienda refuses a reference dated after the document)."""
        sale = self.sell([(self.pos_coffee, 2)], date=self.hours_ago(5))
        self.simulator.faults(next=[{'kind': 'reject'}])
        self.process_queue()
        sale.action_l10n_cr_issue()
        replacement = sale.l10n_cr_document_id
        self.assertGreater(replacement.issue_date, sale.date_order)
        refund = self.refund(sale, date=self.hours_ago(4))
        note = refund.l10n_cr_document_ids
        self.assertEqual(self.text(self.xml(note), '//h:InformacionReferencia/h:Numero'), [replacement.clave])
        self.assertEqual((note.issue_date, note.situation), (replacement.issue_date, '3'))
        self.process_queue()
        self.assertEqual((replacement | note).mapped('state'), ['accepted', 'accepted'])

    def test_offline_order_of_a_closed_session(self):
        """The till went offline, the session was closed elsewhere; the order arrives afterwards and
        lands in the next session of the same point of sale, with its document."""
        first = self.sell([(self.pos_coffee, 1)])
        old_session = self.session
        self.process_queue()
        old_session.post_closing_cash_details(first.amount_total)
        result = old_session.close_session_from_ui()
        self.assertTrue(result.get('successful'), result)
        self.assertEqual(old_session.state, 'closed')
        new_session = self.open_session()
        late = self.sync(self.order_values(old_session, [self.line_values(self.pos_pastry, 1)],
                                           date=self.hours_ago(2)))
        self.assertEqual(late.session_id, new_session)
        document = late.l10n_cr_document_ids
        self.assertEqual((document.consecutivo, document.situation, document.issue_date),
                         (consecutivo('04', 2), '3', late.date_order))
        self.process_queue()
        self.assertEqual(late.l10n_cr_state, 'accepted')

    def test_a_problem_keeps_the_sale_and_consumes_no_number(self):
        order = self.sell([(self.pos_no_cabys, 1)], date=fields.Datetime.now() - timedelta(minutes=3))
        self.assertEqual(order.state, 'paid')
        self.assertFalse(order.l10n_cr_document_ids)
        self.assertEqual(order.l10n_cr_state, 'not_issued')
        self.assertIn('Artículo sin CABYS', order.l10n_cr_issue_error)
        self.assertIn('CABYS', order.l10n_cr_problem)
        self.assertFalse(self.Document.search([('pos_order_id', '=', order.id)]))

        # Corrected: the queue run issues it, with the number nobody took.
        self.pos_no_cabys.l10n_cr_cabys_id = self.cabys_pastry
        self.env['l10n_cr.einvoice.document']._cron_l10n_cr_process_queue()
        document = order.l10n_cr_document_ids
        self.assertEqual(document.consecutivo, consecutivo('04', 1))
        # Issued late for want of a CABYS code, not of internet: dated at the sale, situación 1.
        self.assertEqual((document.issue_date, document.situation), (order.date_order, '1'))
        self.assertFalse(order.l10n_cr_issue_error)
        self.assertEqual(self.sell([(self.pos_coffee, 1)]).l10n_cr_document_ids.consecutivo,
                         consecutivo('04', 2))
        self.process_queue()
        self.assertEqual(order.l10n_cr_state, 'accepted')

    def test_rejected_document_is_issued_again_referencing_it(self):
        """The replacement of a rejected document is a new document, made and sent now: dated now, in
        situación 1, whatever the rejected one was (here an order that reached the server late)."""
        order = self.sell([(self.pos_coffee, 1)], date=self.hours_ago(3))
        rejected = order.l10n_cr_document_ids
        self.assertEqual(rejected.situation, '3')
        self.simulator.faults(next=[{'kind': 'reject'}])
        self.process_queue()
        self.assertEqual(order.l10n_cr_state, 'rejected')
        self.assertIn('Issue again', order.l10n_cr_problem)

        order.action_l10n_cr_issue()
        reissued = order.l10n_cr_document_id
        self.assertNotEqual(reissued, rejected)
        self.assertEqual(reissued.replaced_document_id, rejected)
        self.assertEqual(reissued.consecutivo, consecutivo('04', 2))
        self.assertEqual(reissued.situation, '1')
        self.assertGreater(reissued.issue_date, rejected.issue_date)
        tree = self.xml(reissued)
        self.assertEqual(self.text(tree, '//h:InformacionReferencia/h:Numero'), [rejected.clave])
        self.assertEqual(self.text(tree, '//h:InformacionReferencia/h:TipoDocIR'), ['10'])
        self.process_queue()
        self.assertEqual(order.l10n_cr_state, 'accepted')

    def test_issue_again_button_reports_the_problem(self):
        order = self.sell([(self.pos_no_cabys, 1)])
        with self.assertRaisesRegex(UserError, 'CABYS'):
            order.action_l10n_cr_issue()

    def test_invoiced_order_is_documented_by_its_invoice(self):
        order = self.sell([(self.pos_pastry, 2)], partner=self.partner_cr, to_invoice=True)
        self.assertTrue(order.account_move)
        self.assertFalse(order.l10n_cr_document_ids)
        invoice_document = order.account_move.l10n_cr_document_id
        self.assertEqual(invoice_document.document_type, '01')
        self.assertEqual(order.l10n_cr_document_id, invoice_document)
        self.assertEqual(order.l10n_cr_state, 'to_send')
        # The invoice says how it was paid.
        self.assertEqual(order.account_move.l10n_cr_payment_method_id.code, '01')
        self.process_queue()
        self.assertEqual(order.l10n_cr_state, 'accepted')

    def test_invoices_made_at_the_till_take_its_terminal(self):
        """An invoice made at the till, and the credit note of its refund at the till, are numbered on the
        till's establishment and terminal; an invoice of the same journal made in the back office keeps
        the journal's."""
        journal = self.pos_config.invoice_journal_id
        journal.write({'l10n_cr_establishment': 5, 'l10n_cr_terminal': 9})
        order = self.sell([(self.pos_pastry, 2)], partner=self.partner_cr, to_invoice=True)
        self.assertEqual(order.account_move.journal_id, journal)
        factura = order.account_move.l10n_cr_document_id
        self.assertEqual((factura.establishment, factura.terminal), (ESTABLISHMENT, TERMINAL))
        self.assertEqual(factura.consecutivo, consecutivo('01', 1))

        refund = self.refund(order, to_invoice=True)
        self.assertEqual(refund.account_move.move_type, 'out_refund')
        note = refund.account_move.l10n_cr_document_id
        self.assertEqual(note.consecutivo, consecutivo('03', 1))
        self.assertEqual(self.text(self.xml(note), '//h:InformacionReferencia/h:Numero'), [factura.clave])

        back_office = self.make_invoice(self.partner_cr, [(self.pos_coffee, 1, 3500)], journal_id=journal.id)
        self.assertEqual(back_office.l10n_cr_document_id.consecutivo,
                         consecutivo('01', 1, establishment=5, terminal=9))
        self.process_queue()
        self.assertEqual([factura.state, note.state, back_office.l10n_cr_state], ['accepted'] * 3)

    def test_an_order_already_documented_cannot_be_invoiced(self):
        order = self.sell([(self.pos_pastry, 1)], partner=self.partner_cr)
        self.assertEqual(order.l10n_cr_document_ids.document_type, '01')
        with self.assertRaisesRegex(UserError, 'document the same sale twice'):
            order.action_pos_order_invoice()
        self.assertFalse(order.account_move)

    def test_numbering_per_point_of_sale_terminal(self):
        """Two points of sale selling in turn: each terminal counts on its own, without gaps; a point of
        sale configured with the same terminal shares that terminal's numbering."""
        methods = [Command.set(self.pm_card.ids)]  # a cash method belongs to one point of sale
        other = self.pos_config.copy({'name': 'Tienda Norte', 'l10n_cr_terminal': 3, 'payment_method_ids': methods})
        shared = self.pos_config.copy({'name': 'Caja 2 Central', 'l10n_cr_terminal': TERMINAL,
                                       'payment_method_ids': methods})
        other_session = self.open_session(other)
        shared_session = self.open_session(shared)
        sequence = [self.session, other_session, shared_session, other_session, self.session]
        orders = [self.sell([(self.pos_coffee, 1)], session=session, payments=[(self.pm_card, 3535)])[0]
                  for session in sequence]
        self.assertEqual([o.l10n_cr_document_ids.consecutivo for o in orders], [
            consecutivo('04', 1), consecutivo('04', 1, terminal=3), consecutivo('04', 2),
            consecutivo('04', 2, terminal=3), consecutivo('04', 3)])

    def test_session_closing_lists_documents_not_accepted(self):
        self.sell([(self.pos_coffee, 1)])
        broken = self.sell([(self.pos_no_cabys, 1)])
        summary = self.session.get_closing_control_data()['l10n_cr_einvoice_pending']
        self.assertEqual((summary['count'], summary['attention_count']), (2, 1))
        self.assertEqual(summary['orders'][0]['name'], broken.pos_reference or broken.name)
        self.assertEqual(summary['orders'][0]['state'], 'Not issued')
        self.assertEqual(self.session.l10n_cr_pending_count, 2)

        self.pos_no_cabys.l10n_cr_cabys_id = self.cabys_pastry
        self.session.action_l10n_cr_retry()
        self.process_queue()
        summary = self.session.get_closing_control_data()['l10n_cr_einvoice_pending']
        self.assertEqual(summary['count'], 0)
        self.session.invalidate_recordset(['l10n_cr_pending_count'])
        self.assertEqual(self.session.l10n_cr_pending_count, 0)

    def test_a_till_without_configuration_does_not_open(self):
        config = self.pos_config.copy({'name': 'Caja nueva'})
        self.company.l10n_cr_activity_id = False
        with self.assertRaisesRegex(UserError, 'economic activity'):
            config.open_ui()

    def test_payment_method_codes_proposed_from_their_journal(self):
        self.assertEqual(self.pm_cash.l10n_cr_payment_method_id.code, '01')
        self.assertEqual(self.pm_card.l10n_cr_payment_method_id.code, '02')
        self.assertEqual(self.pm_sinpe.l10n_cr_payment_method_id.code, '06')

    def test_cashier_syncs_and_reads_the_document_without_accounting_rights(self):
        PosOrder = self.env['pos.order'].with_user(self.pos_user)
        data = PosOrder.sync_from_ui([self.order_values(self.session, [self.line_values(self.pos_coffee, 1)])])
        synced = data['pos.order'][0]
        self.assertEqual(synced['l10n_cr_document_type'], '04')
        self.assertEqual(len(synced['l10n_cr_clave']), 50)
        self.assertEqual(synced['l10n_cr_consecutivo'], consecutivo('04', 1))
        self.assertEqual(synced['l10n_cr_state'], 'to_send')
        # A new customer captured at the till is created although the cashier cannot manage contacts.
        data = PosOrder.sync_from_ui([self.order_values(
            self.session, [self.line_values(self.pos_coffee, 1)], l10n_cr_customer_id_type='03',
            l10n_cr_customer_id_number='155812345678', l10n_cr_customer_name='Ana Gómez')])
        synced = data['pos.order'][0]
        self.assertEqual(synced['l10n_cr_document_type'], '01')
        self.assertEqual(self.env['res.partner'].browse(synced['partner_id']).vat, '155812345678')
        # The till's "Send to Hacienda" gives the order back with Hacienda's answer.
        result = PosOrder.browse(synced['id']).l10n_cr_send_from_pos()
        self.assertEqual(result['pos.order'][0]['l10n_cr_state'], 'accepted')

    def test_pos_loads_identification_rules(self):
        data = self.env['pos.config']._load_pos_data_read(self.pos_config, self.pos_config)
        rules = {rule['code']: rule for rule in data[0]['_l10n_cr_id_types']}
        self.assertEqual(sorted(rules), ['01', '02', '03', '04', '05'])
        self.assertEqual(rules['01']['pattern'], r'[1-9]\d{8}')
        partner_fields = self.env['res.partner']._load_pos_data_fields(self.pos_config)
        self.assertIn('l10n_cr_id_type_code', partner_fields)
        found = self.env['res.partner'].l10n_cr_pos_find_partner(self.pos_config.id, '02', '3102654321')
        self.assertEqual([p['id'] for p in found['res.partner']], self.partner_cr.ids)

    def test_spanish_costa_rica_translations(self):
        """es_CR covers the Python messages, the fields and the till's (JavaScript) texts."""
        self.env['res.lang']._activate_lang('es_CR')
        self.env['ir.module.module']._load_module_terms(['l10n_cr_einvoice_pos'], ['es_CR'], overwrite=True)
        order = self.sell([(self.pos_no_cabys, 1)])
        spanish = order.with_context(lang='es_CR')
        spanish.l10n_cr_issue_error = False
        spanish._l10n_cr_issue()
        self.assertIn('no se puede emitir como', order.l10n_cr_issue_error)
        states = dict(spanish._fields['l10n_cr_state']._description_selection(spanish.env))
        self.assertEqual(states['not_issued'], 'No emitido')
        web, _params = self.env['ir.http']._get_translations_for_webclient(['l10n_cr_einvoice_pos'], 'es_CR')
        messages = ' '.join(message['string'] for message in web['l10n_cr_einvoice_pos']['messages'])
        for spanish_text in ('Tiquete Electrónico', 'Nota de Crédito Electrónica', 'Identificación (Factura)',
                             'Enviar a Hacienda', 'Comprobante electrónico pendiente'):
            self.assertIn(spanish_text, messages)

