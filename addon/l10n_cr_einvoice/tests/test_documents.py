from datetime import timedelta
from decimal import Decimal

from lxml import etree
from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import L10nCrEinvoiceCommon


def text(tree, path):
    """Text of the first element at ``path`` (local names separated by /) or None."""
    node = tree
    for name in path.split('/'):
        node = next((c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == name), None)
        if node is None:
            return None
    return node.text


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestDocuments(L10nCrEinvoiceCommon):
    """Every document type from the Odoo record to Hacienda's acceptance, through the real
    simulator, with the XML compared against a reviewed expected file."""

    def assert_accepted(self, document):
        self.assertEqual(document.state, 'accepted', document.error_message or document.hacienda_message)
        self.assertTrue(document.response_attachment_id, "Hacienda's answer is stored")
        answer = etree.fromstring(document.response_attachment_id.raw)
        self.assertEqual(etree.QName(answer).localname, 'MensajeHacienda')
        self.assertEqual(text(answer, 'Clave'), document.clave)

    def assert_total_matches(self, document, amount):
        """What Hacienda sees (TotalComprobante) is what Odoo booked (to the cent)."""
        total = Decimal(text(self.signed_tree(document), 'ResumenFactura/TotalComprobante'))
        self.assertAlmostEqual(float(total), amount, delta=0.01)

    def assert_receipt_matches(self, receipt, amount):
        """A payment receipt: the payment is its amount without tax (TotalVenta, which the annex
        makes a REP's TotalComprobante) plus the tax it carries."""
        tree = self.signed_tree(receipt)
        summary = 'ResumenFactura/'
        self.assertEqual(text(tree, summary + 'TotalComprobante'), text(tree, summary + 'TotalVenta'))
        paid = float(text(tree, summary + 'TotalVenta')) + float(text(tree, summary + 'TotalImpuesto'))
        self.assertAlmostEqual(paid, amount, delta=0.01)

    def test_factura(self):
        term = self.env['account.payment.term'].create({
            'name': '30 días', 'line_ids': [Command.create({'value': 'percent', 'value_amount': 100, 'nb_days': 30})]})
        move = self.make_invoice(self.partner_cr, [
            (self.product_service, 10, 25000, None, 5),
            (self.product_laptop, 2, 450000),
            (self.product_coffee, 5, 4000),
        ], invoice_payment_term_id=term.id)
        document = move.l10n_cr_document_id
        self.assertRecordValues(document, [{
            'document_type': '01', 'state': 'to_send', 'establishment': 1, 'terminal': 1, 'number': 1,
            'consecutivo': '00100001010000000001', 'partner_id': self.partner_cr.id}])
        self.assertEqual(len(document.clave), 50)
        self.assertEqual(move.l10n_cr_sale_condition_id.code, '02')
        self.assert_matches_expected(document, 'factura.xml')
        self.assert_total_matches(document, move.amount_total)
        self.assertEqual(move.l10n_cr_state, 'to_send')

        received_before = self.simulator_totals()['documents']
        self.process_queue()
        self.assert_accepted(document)
        self.assertEqual(move.l10n_cr_state, 'accepted')
        self.assertEqual(self.simulator_totals()['documents'], received_before + 1)
        self.assertEqual(self.simulator_totals()['duplicate_posts'], 0)

        # The next invoice takes the next number of the same numbering.
        second = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        self.assertEqual(second.l10n_cr_document_id.consecutivo, '00100001010000000002')

    def test_tiquete_for_unidentified_customer(self):
        move = self.make_invoice(self.partner_anonymous, [(self.product_coffee, 2, 4000), (self.product_laptop, 1, 450000)])
        document = move.l10n_cr_document_id
        self.assertEqual(document.document_type, '04')
        self.assertEqual(document.consecutivo, '00100001040000000001')
        self.assert_matches_expected(document, 'tiquete.xml')
        self.assert_total_matches(document, move.amount_total)
        self.process_queue()
        self.assert_accepted(document)

    def test_export_invoice_in_dollars(self):
        usd = self.setup_other_currency('USD', rates=[(fields.Date.today() - timedelta(days=10), 1 / 507.12)])
        move = self.make_invoice(self.partner_foreign, [(self.product_coffee, 1000, 6.85, self.tax_0)], currency_id=usd.id)
        document = move.l10n_cr_document_id
        self.assertEqual(document.document_type, '09')
        self.assert_matches_expected(document, 'factura-exportacion.xml')
        tree = self.signed_tree(document)
        self.assertEqual(text(tree, 'ResumenFactura/CodigoTipoMoneda/CodigoMoneda'), 'USD')
        self.assertEqual(Decimal(text(tree, 'ResumenFactura/CodigoTipoMoneda/TipoCambio')), Decimal('507.12'))
        self.assert_total_matches(document, move.amount_total)
        self.process_queue()
        self.assert_accepted(document)

    def test_credit_note_references_the_invoice(self):
        invoice = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        self.process_queue()
        original = invoice.l10n_cr_document_id
        self.assert_accepted(original)
        wizard = self.env['account.move.reversal'].with_context(active_model='account.move', active_ids=invoice.ids)\
            .create({'reason': 'Devolución de una computadora', 'journal_id': invoice.journal_id.id})
        refund = self.env['account.move'].browse(wizard.refund_moves()['res_id'])
        self.assertEqual(refund.l10n_cr_document_type, '03')
        self.assertEqual(refund.l10n_cr_reference_code_id.code, '01')  # the whole invoice: cancels it
        refund.action_post()
        document = refund.l10n_cr_document_id
        self.assertEqual(document.document_type, '03')
        self.assert_matches_expected(document, 'nota-credito.xml')
        tree = self.signed_tree(document)
        self.assertEqual(text(tree, 'InformacionReferencia/Numero'), original.clave)
        self.assertEqual(text(tree, 'InformacionReferencia/TipoDocIR'), '01')
        self.process_queue()
        self.assert_accepted(document)

    def test_debit_note_references_the_invoice(self):
        invoice = self.make_invoice(self.partner_cr, [(self.product_service, 4, 25000)])
        self.process_queue()
        original = invoice.l10n_cr_document_id
        wizard = self.env['account.debit.note'].with_context(active_model='account.move', active_ids=invoice.ids)\
            .create({'reason': 'Horas adicionales', 'copy_lines': True})
        debit = self.env['account.move'].browse(wizard.create_debit()['res_id'])
        debit.invoice_line_ids.quantity = 2
        self.assertEqual(debit.l10n_cr_document_type, '02')
        debit.action_post()
        document = debit.l10n_cr_document_id
        self.assertEqual(document.consecutivo, '00100001020000000001')
        self.assert_matches_expected(document, 'nota-debito.xml')
        self.assertEqual(text(self.signed_tree(document), 'InformacionReferencia/Numero'), original.clave)
        self.process_queue()
        self.assert_accepted(document)

    def test_purchase_invoice_from_unregistered_supplier(self):
        bill = self.make_invoice(self.supplier_fec, [(self.env['product.product'].create({
            'name': 'Frijol negro a granel', 'type': 'consu', 'uom_id': self.env.ref('uom.product_uom_kgm').id,
            'l10n_cr_cabys_id': self.cabys_beans.id}), 100, 900, self.tax_purchase_13)],
            move_type='in_invoice', ref='RE-2026-118')
        document = bill.l10n_cr_document_id
        self.assertEqual(document.document_type, '08')
        self.assert_matches_expected(document, 'factura-compra.xml')
        tree = self.signed_tree(document)
        self.assertEqual(text(tree, 'Emisor/Identificacion/Numero'), '109870654')
        self.assertEqual(text(tree, 'Receptor/Identificacion/Numero'), '3101123456')
        self.assert_total_matches(document, bill.amount_total)
        self.process_queue()
        self.assert_accepted(document)
        # A bill from a registered supplier issues nothing.
        other = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000, self.tax_purchase_13)],
                                  move_type='in_invoice')
        self.assertFalse(other.l10n_cr_document_ids)

    def test_payment_receipt_for_credit_sale_under_article_27(self):
        invoice = self.make_invoice(self.partner_cr, [(self.product_service, 8, 25000), (self.product_coffee, 10, 4000)],
                                    post=False, invoice_date_due=fields.Date.context_today(self.env.user) + timedelta(days=60))
        invoice.l10n_cr_sale_condition_id = self.code('sale_conditions', '10')
        invoice.action_post()
        self.process_queue()
        self.assert_accepted(invoice.l10n_cr_document_id)
        self.env['account.payment.register'].with_context(active_model='account.move', active_ids=invoice.ids)\
            .create({'amount': 100000})._create_payments()
        receipt = self.Document.search([('move_id', '=', invoice.id), ('document_type', '=', '10')])
        self.assertEqual(len(receipt), 1)
        self.assertEqual(receipt.amount_paid, 100000)
        self.assert_matches_expected(receipt, 'recibo-pago.xml')
        tree = self.signed_tree(receipt)
        self.assertEqual(text(tree, 'CondicionVenta'), '11')
        self.assertEqual(text(tree, 'InformacionReferencia/Numero'), invoice.l10n_cr_document_id.clave)
        self.assert_receipt_matches(receipt, 100000)
        self.process_queue()
        self.assert_accepted(receipt)
        # The invoice's own document is still the factura.
        self.assertEqual(invoice.l10n_cr_document_id.document_type, '01')
        # A cash sale needs no receipt.
        cash = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)])
        self.env['account.payment.register'].with_context(active_model='account.move', active_ids=cash.ids)\
            .create({})._create_payments()
        self.assertFalse(self.Document.search([('move_id', '=', cash.id), ('document_type', '=', '10')]))

    def test_exoneration_and_several_taxes(self):
        exoneration = self.env['l10n_cr.einvoice.exoneration'].create({
            'partner_id': self.partner_cr.id,
            'document_type_id': self.code('exemption_types', '02').id,
            'number': 'AL-00012345-26',
            'article': 34,
            'institution_id': self.code('exemption_institutions', '02').id,
            'issue_date': fields.Date.today() - timedelta(days=30),
            'rate': 13,
        })
        selective_tax = self.env['account.tax'].create({
            'name': 'Impuesto selectivo de consumo 10%', 'amount_type': 'percent', 'amount': 10,
            'type_tax_use': 'sale', 'sequence': 1, 'include_base_amount': True,
            'l10n_cr_tax_code_id': self.code('tax_codes', '02').id,
        })
        beer = self.env['product.product'].create({
            'name': 'Cerveza nacional', 'type': 'consu', 'uom_id': self.env.ref('uom.product_uom_litre').id,
            'l10n_cr_cabys_id': self.cabys('2441000000000', 'Cerveza').id,
        })
        # A specific tax computed per unit of alcohol (04) needs data this module does not hold: refused plainly.
        beer_tax = selective_tax.copy({'name': 'Impuesto específico bebidas alcohólicas', 'amount_type': 'fixed',
                                       'amount': 112.5, 'l10n_cr_tax_code_id': self.code('tax_codes', '04').id})
        refused = self.make_invoice(self.partner_cr, [(beer, 2, 1500, beer_tax | self.tax_13)], post=False)
        with self.assertRaisesRegex(UserError, 'is a specific tax Hacienda computes per unit'):
            refused.action_post()
        move = self.make_invoice(self.partner_cr, [
            (self.product_service, 2, 25000, self.tax_exonerated),
            (beer, 2, 1500, selective_tax | self.tax_13),
        ])
        self.assertEqual(move.invoice_line_ids[0].l10n_cr_exoneration_id, exoneration)
        document = move.l10n_cr_document_id
        tree = self.signed_tree(document)
        lines = [c for c in tree.iter() if isinstance(c.tag, str) and etree.QName(c).localname == 'LineaDetalle']
        self.assertEqual(text(lines[0], 'Impuesto/Exoneracion/NumeroDocumento'), 'AL-00012345-26')
        self.assertEqual(Decimal(text(lines[0], 'Impuesto/Exoneracion/MontoExoneracion')), Decimal('6500'))
        self.assertEqual(Decimal(text(lines[0], 'ImpuestoNeto')), 0)
        codes = [text(tax, 'Codigo') for tax in lines[1] if etree.QName(tax).localname == 'Impuesto']
        self.assertEqual(codes, ['02', '01'])
        self.assertEqual(text(lines[1], 'BaseImponible'), '3300.00000')  # the selective tax is part of the VAT base
        self.assert_total_matches(document, move.amount_total)
        self.process_queue()
        self.assert_accepted(document)

    def test_other_charges(self):
        """A 10 % service charge and an amount collected for a third party are OtrosCargos, not lines,
        without tax; the document's total is the invoice's."""
        no_tax = self.env['account.tax']
        service_charge = self.env['product.product'].create({
            'name': 'Servicio 10%', 'type': 'service', 'taxes_id': [Command.clear()],
            'l10n_cr_other_charge_type_id': self.code('other_charge_types', '06').id})
        red_cross = self.env['res.partner'].create({
            'name': 'Asociación Cruz Roja Costarricense', 'vat': '3002045433', 'is_company': True,
            'country_id': self.env.ref('base.cr').id})
        collected = self.env['product.product'].create({
            'name': 'Aporte a la Cruz Roja', 'type': 'service', 'taxes_id': [Command.clear()],
            'l10n_cr_other_charge_type_id': self.code('other_charge_types', '04').id,
            'l10n_cr_third_party_id': red_cross.id})
        move = self.make_invoice(self.partner_cr, [
            (self.product_service, 2, 25000),
            (service_charge, 1, 5000, no_tax),
            (collected, 1, 1500, no_tax),
        ])
        document = move.l10n_cr_document_id
        tree = self.signed_tree(document)
        charges = [c for c in tree if isinstance(c.tag, str) and etree.QName(c).localname == 'OtrosCargos']
        self.assertEqual([(text(c, 'TipoDocumentoOC'), text(c, 'Detalle'), text(c, 'MontoCargo')) for c in charges], [
            ('06', 'Servicio 10%', '5000.00000'), ('04', 'Aporte a la Cruz Roja', '1500.00000')])
        self.assertEqual((text(charges[1], 'IdentificacionTercero/Numero'), text(charges[1], 'NombreTercero')),
                         ('3002045433', 'Asociación Cruz Roja Costarricense'))
        self.assertEqual(len([c for c in tree.iter() if isinstance(c.tag, str)
                              and etree.QName(c).localname == 'LineaDetalle']), 1)
        self.assertEqual(text(tree, 'ResumenFactura/TotalOtrosCargos'), '6500.00000')
        self.assert_total_matches(document, move.amount_total)
        self.process_queue()
        self.assert_accepted(document)

        # A taxed charge cannot be written: refused before anything is reserved.
        with self.assertRaisesRegex(UserError, "Other charge 1 \\(Servicio 10%\\): an other charge carries no tax"):
            self.make_invoice(self.partner_cr, [(self.product_service, 1, 25000), (service_charge, 1, 2500, self.tax_13)])

    def test_contingency_voucher_is_referenced(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)], post=False,
                                 l10n_cr_contingency=True, l10n_cr_contingency_number='CONT-0042',
                                 l10n_cr_contingency_date=fields.Datetime.now() - timedelta(hours=3))
        move.action_post()
        document = move.l10n_cr_document_id
        self.assertEqual(document.situation, '2')
        self.assertEqual(document.clave[41], '2', "the clave carries the situation")
        tree = self.signed_tree(document)
        self.assertEqual(text(tree, 'InformacionReferencia/TipoDocIR'), '08')
        self.assertEqual(text(tree, 'InformacionReferencia/Numero'), 'CONT-0042')
        self.process_queue()
        self.assert_accepted(document)

    def test_numbering_per_journal_terminal(self):
        journal = self.company_data['default_journal_sale'].copy({'code': 'INV2', 'name': 'Sucursal 2',
                                                                 'l10n_cr_establishment': 2, 'l10n_cr_terminal': 3})
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)], journal_id=journal.id)
        self.assertEqual(move.l10n_cr_document_id.consecutivo, '00200003010000000001')
        numbering = self.env['l10n_cr.einvoice.numbering'].search(
            [('company_id', '=', self.company.id), ('establishment', '=', 2), ('terminal', '=', 3)])
        self.assertEqual(numbering.document_type, '01')
        self.assertEqual(numbering.number_next, 2)
        # Moving from another system: the next number is set by hand, never below one used.
        with self.assertRaisesRegex(UserError, 'has already issued number 1'):
            numbering.number_next = 1
        numbering.number_next = 41
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)], journal_id=journal.id)
        self.assertEqual(move.l10n_cr_document_id.consecutivo, '00200003010000000041')
        self.assertEqual(numbering.number_next, 42)

    def test_2024_schema_set_references(self):
        """Under the 2024 set there is no reference type for export invoices nor code 17 for
        payments: the documents say "other" and explain it, as that set requires."""
        self.company.l10n_cr_schema_set = 'v4.4'
        usd = self.setup_other_currency('USD', rates=[(fields.Date.today() - timedelta(days=10), 1 / 507.12)])
        export = self.make_invoice(self.partner_foreign, [(self.product_coffee, 10, 6.85, self.tax_0)], currency_id=usd.id)
        self.process_queue()
        self.assert_accepted(export.l10n_cr_document_id)
        wizard = self.env['account.move.reversal'].with_context(active_model='account.move', active_ids=export.ids)\
            .create({'reason': 'Devolución', 'journal_id': export.journal_id.id})
        refund = self.env['account.move'].browse(wizard.refund_moves()['res_id'])
        refund.action_post()
        note = refund.l10n_cr_document_id
        self.assertEqual(note.schema_set, 'v4.4')
        tree = self.signed_tree(note)
        self.assertEqual(text(tree, 'InformacionReferencia/TipoDocIR'), '99')
        self.assertEqual(text(tree, 'InformacionReferencia/TipoDocRefOTRO'), 'Electronic Export Invoice (09)')
        self.process_queue()
        self.assert_accepted(note)

        invoice = self.make_invoice(self.partner_cr, [(self.product_service, 2, 25000)], post=False,
                                    invoice_date_due=fields.Date.context_today(self.env.user) + timedelta(days=30))
        invoice.l10n_cr_sale_condition_id = self.code('sale_conditions', '10')
        invoice.action_post()
        self.process_queue()
        self.env['account.payment.register'].with_context(active_model='account.move', active_ids=invoice.ids)\
            .create({})._create_payments()
        receipt = self.Document.search([('move_id', '=', invoice.id), ('document_type', '=', '10')])
        tree = self.signed_tree(receipt)
        self.assertEqual(text(tree, 'InformacionReferencia/Codigo'), '99')
        self.assertTrue(text(tree, 'InformacionReferencia/CodigoReferenciaOTRO'))
        self.assert_receipt_matches(receipt, invoice.amount_total)
        self.process_queue()
        self.assert_accepted(receipt)

    def test_price_including_tax(self):
        """A price with the VAT included is written without it: Hacienda's PrecioUnitario is net."""
        included = self.tax_13.copy({'name': 'IVA 13% incluido', 'price_include_override': 'tax_included'})
        self.assertTrue(included.price_include)
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 3, 1130, included)])
        document = move.l10n_cr_document_id
        tree = self.signed_tree(document)
        self.assertEqual(Decimal(text(tree, 'DetalleServicio/LineaDetalle/PrecioUnitario')), Decimal('1000'))
        self.assertEqual(Decimal(text(tree, 'ResumenFactura/TotalImpuesto')), Decimal('390'))
        self.assert_total_matches(document, move.amount_total)
        self.process_queue()
        self.assert_accepted(document)
