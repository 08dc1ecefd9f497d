"""The annex's rules that depend on what a user entered stop the posting with a plain message
naming the field, before any number is used; what the rules require can be entered; what the
annex defines (gifts, purchases from foreign sellers) reaches Hacienda's acceptance."""

import importlib.util
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import L10nCrEinvoiceCommon
from .test_documents import text


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestAnnexRules(L10nCrEinvoiceCommon):

    def assert_refused(self, move, *fragments):
        """Posting stops with every fragment in the message, and no document or number is used."""
        before = self.Document.search_count([('company_id', '=', self.company.id)])
        with self.assertRaises(UserError) as refused:
            move.action_post()
        for fragment in fragments:
            self.assertIn(fragment, refused.exception.args[0])
        self.assertEqual(move.state, 'draft')
        self.assertEqual(self.Document.search_count([('company_id', '=', self.company.id)]), before)
        return refused.exception.args[0]

    def test_discount_of_code_99_states_its_nature(self):
        other = self.code('discount_codes', '99')
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000, None, 10)], post=False)
        move.invoice_line_ids.l10n_cr_discount_code_id = other
        self.assert_refused(move, 'Line 1 (Computadora portátil)', 'Discount nature')
        move.invoice_line_ids.l10n_cr_discount_nature = 'Descuento por apertura de tienda'
        move.action_post()
        tree = self.signed_tree(move.l10n_cr_document_id)
        discount = 'DetalleServicio/LineaDetalle/Descuento/'
        self.assertEqual(text(tree, discount + 'CodigoDescuento'), '99')
        self.assertEqual(text(tree, discount + 'NaturalezaDescuento'), 'Descuento por apertura de tienda')
        self.assertEqual(text(tree, discount + 'CodigoDescuentoOTRO'), 'Descuento por apertura de tienda')
        # The company's default nature serves lines that do not say theirs.
        self.company.l10n_cr_discount_nature = 'Descuento comercial negociado'
        second = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000, None, 5)], post=False)
        second.invoice_line_ids.l10n_cr_discount_code_id = other
        second.action_post()
        self.assertEqual(text(self.signed_tree(second.l10n_cr_document_id),
                              discount + 'NaturalezaDescuento'), 'Descuento comercial negociado')
        self.process_queue()
        self.assertEqual(move.l10n_cr_state, 'accepted')

    def test_a_sale_on_credit_states_its_term(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)], post=False)
        move.l10n_cr_sale_condition_id = self.code('sale_conditions', '02')
        self.assert_refused(move, 'credit term', 'due date')
        move.invoice_date_due = move.invoice_date + timedelta(days=15)
        move.action_post()
        self.assertEqual(text(self.signed_tree(move.l10n_cr_document_id), 'PlazoCredito'), '15')

    def test_other_sale_condition_is_described(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)], post=False)
        move.l10n_cr_sale_condition_id = self.code('sale_conditions', '99')
        self.assert_refused(move, 'Sale condition description')
        move.l10n_cr_sale_condition_other = 'Permuta de equipo usado'
        move.action_post()
        self.assertEqual(text(self.signed_tree(move.l10n_cr_document_id), 'CondicionVentaOtros'),
                         'Permuta de equipo usado')

    def test_other_payment_method_is_described(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)], post=False)
        move.l10n_cr_payment_method_id = self.code('payment_methods', '99')
        self.assert_refused(move, 'Payment method description')
        move.l10n_cr_payment_method_other = 'Canje de puntos de lealtad'
        move.action_post()
        tree = self.signed_tree(move.l10n_cr_document_id)
        self.assertEqual(text(tree, 'ResumenFactura/MedioPago/MedioPagoOtros'), 'Canje de puntos de lealtad')

    def test_sale_conditions_kept_for_other_documents(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)], post=False)
        move.l10n_cr_sale_condition_id = self.code('sale_conditions', '13')
        self.assert_refused(move, 'The sale condition 13', 'Sale condition')

    def test_a_gift_is_a_regalia_whose_vat_the_company_bears(self):
        """A line at price 0 of a product that has a price: billed as a regalía (annex pp. 37, 46)."""
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000), (self.product_coffee, 2, 0)])
        document = move.l10n_cr_document_id
        tree = self.signed_tree(document)
        gift = tree.findall('{*}DetalleServicio/{*}LineaDetalle')[1]
        self.assertEqual(text(gift, 'PrecioUnitario'), '4000.00000')
        self.assertEqual(text(gift, 'Descuento/CodigoDescuento'), '01')
        self.assertEqual(text(gift, 'Descuento/MontoDescuento'), '8000.00000')
        self.assertEqual(text(gift, 'Impuesto/Monto'), '80.00000')  # 1 % on MontoTotal
        self.assertEqual(text(gift, 'ImpuestoAsumidoEmisorFabrica'), '80.00000')
        self.assertEqual(text(gift, 'ImpuestoNeto'), '0.00000')
        self.assertEqual(text(tree, 'ResumenFactura/TotalImpAsumEmisorFabrica'), '80.00000')
        self.assertAlmostEqual(float(text(tree, 'ResumenFactura/TotalComprobante')), move.amount_total, delta=0.01)
        self.process_queue()
        self.assertEqual(document.state, 'accepted', document.hacienda_message)

    def test_a_price_of_zero_without_a_sales_price_is_refused(self):
        free = self.env['product.product'].create({
            'name': 'Bolsa', 'type': 'consu', 'lst_price': 0, 'l10n_cr_cabys_id': self.cabys_laptop.id,
            'taxes_id': [Command.set(self.tax_13.ids)]})
        move = self.make_invoice(self.partner_cr, [(free, 1, 0)], post=False)
        self.assert_refused(move, 'Line 1 (Bolsa)', 'unit price above zero')

    def test_transitional_vat_rates_are_for_notes(self):
        tax = self.tax_13.copy({'name': 'IVA 8% transitorio', 'amount': 8,
                                'l10n_cr_iva_rate_code_id': self.code('iva_rate_codes', '07').id})
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000, tax)], post=False)
        self.assert_refused(move, 'IVA 8% transitorio', 'transitional VAT rate code 07', 'credit and debit notes')

    def test_exoneration_names_its_article(self):
        values = {
            'partner_id': self.partner_cr.id, 'document_type_id': self.code('exemption_types', '03').id,
            'number': 'LEY-7293', 'institution_id': self.code('exemption_institutions', '01').id,
            'issue_date': fields.Date.to_date('2026-01-15'), 'rate': 13,
        }
        with self.assertRaisesRegex(ValidationError, 'Article'):
            self.env['l10n_cr.einvoice.exoneration'].create(values)
        self.assertTrue(self.env['l10n_cr.einvoice.exoneration'].create({**values, 'article': 1}))

    def test_a_note_to_an_outside_document_gives_its_clave(self):
        invoice = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)])
        note = invoice._reverse_moves([{'ref': 'Devolución'}])
        note.write({
            'l10n_cr_reference_document_type_id': self.code('reference_document_types', '01').id,
            'l10n_cr_reference_number': 'FAC-2020-0001',
            'l10n_cr_reference_date': fields.Datetime.now() - timedelta(days=30),
        })
        self.assert_refused(note, 'Original document number', 'clave')
        note.l10n_cr_reference_document_type_id = self.code('reference_document_types', '99')
        note.action_post()
        self.assertEqual(text(self.signed_tree(note.l10n_cr_document_id), 'InformacionReferencia/TipoDocIR'),
                         '99')

    def test_purchase_from_a_foreign_seller_with_a_long_identification(self):
        """A Factura de Compra to a seller not domiciled in Costa Rica (type 05, 20 characters): issued by
        the company, whose id the clave and the envelope carry (annex p. 59), accepted by Hacienda."""
        seller = self.env['res.partner'].create({
            'name': 'Cloud Services Inc.', 'is_company': True, 'vat': 'US123456789012345678',
            'l10n_cr_id_type_id': self.code('identification_types', '05').id,
            'country_id': self.env.ref('base.us').id, 'street': '1 Market Street', 'city': 'Seattle',
            'l10n_cr_fec': True,
        })
        bill = self.make_invoice(seller, [(self.product_service, 1, 100000, self.tax_purchase_13)],
                                 move_type='in_invoice', ref='INV-2026-0042')
        document = bill.l10n_cr_document_id
        self.assertEqual(document.document_type, '08')
        tree = self.signed_tree(document)
        self.assertEqual(document.clave[9:21], '003101123456')
        self.assertEqual(text(tree, 'Emisor/Identificacion/Numero'), 'US123456789012345678')
        self.assertEqual(text(tree, 'InformacionReferencia/TipoDocIR'), '16')
        self.assertIsNone(text(tree, 'Emisor/Ubicacion'))
        self.process_queue()
        self.assertEqual(document.state, 'accepted', document.hacienda_message)

    def test_purchase_of_used_goods_from_a_non_taxpayer(self):
        seller = self.env['res.partner'].create({
            'name': 'María Solano Vega', 'vat': 'NC20260001',
            'l10n_cr_id_type_id': self.code('identification_types', '06').id, 'l10n_cr_fec': True,
        })
        bill = self.make_invoice(seller, [(self.product_laptop, 1, 150000, self.tax_purchase_13)],
                                 move_type='in_invoice', post=False)
        self.assertEqual(bill.l10n_cr_sale_condition_id.code, '13')
        self.assert_refused(bill, 'Bill Reference')  # the seller's voucher is referenced by its number
        bill.ref = 'Recibo 0042'
        bill.action_post()
        document = bill.l10n_cr_document_id
        self.assertEqual(text(self.signed_tree(document), 'CondicionVenta'), '13')
        self.process_queue()
        self.assertEqual(document.state, 'accepted', document.hacienda_message)

    def test_messages_are_in_spanish(self):
        self.env['res.lang']._activate_lang('es_CR')
        self.env['ir.module.module']._load_module_terms(['l10n_cr_einvoice'], ['es_CR'], overwrite=True)
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000)], post=False)
        move.l10n_cr_sale_condition_id = self.code('sale_conditions', '02')
        message = self.assert_refused(move.with_context(lang='es_CR'), 'plazo')
        self.assertNotIn('credit term', message)

    def test_migration_keeps_the_former_wording_of_other_discounts(self):
        """Upgrading to 1.2: a company whose default discount code is 99 gets the nature the module used
        to write for it, so its invoices post as before."""
        spec = importlib.util.spec_from_file_location(
            'l10n_cr_einvoice_post_migrate_1_2', file_path('l10n_cr_einvoice/migrations/19.0.1.2.0/post-migrate.py'))
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        self.company.write({'l10n_cr_discount_code_id': self.code('discount_codes', '99').id,
                            'l10n_cr_discount_nature': False})
        self.env.flush_all()
        migration.migrate(self.env.cr, '19.0.1.1.0')
        self.company.invalidate_recordset()
        self.assertEqual(self.company.l10n_cr_discount_nature, 'Descuento')
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 450000, None, 10)])
        self.assertEqual(text(self.signed_tree(move.l10n_cr_document_id),
                              'DetalleServicio/LineaDetalle/Descuento/NaturalezaDescuento'), 'Descuento')
