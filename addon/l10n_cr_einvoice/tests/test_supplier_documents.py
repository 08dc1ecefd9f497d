import base64
import textwrap
import uuid
from datetime import timedelta
from unittest.mock import patch

from lxml import etree
from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import config, mute_logger

from hacienda_cr.api import HaciendaClient
from hacienda_cr.documents import build_document
from hacienda_cr.signing import SigningKey, make_test_certificate, sign_xml

from .common import COMPANY_VAT, PIN, L10nCrEinvoiceCommon, company_certificate
from .supplier_system import (
    SUPPLIER_PASSWORD,
    SUPPLIER_PIN,
    SUPPLIER_USER,
    SUPPLIER_VAT,
    SupplierSystem,
    line,
    trust_test_pki,
)
from .test_documents import text

PAPER = line('3212100000100', 'Papel bond carta, resma', 10, 2500, discount=2500)       # 13 %
COFFEE = line('2111100000000', 'Café molido 1 kg', 4, 4000, rate_code='02')             # 1 %
SERVICE = line('8714100000000', 'Mantenimiento de impresoras', 1, 50000, rate_code='04', unit='Sp')  # 4 %
# 22 500 + 2 925, 16 000 + 160, 50 000 + 2 000
TOTAL, TAX = 93585.0, 5085.0


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestSupplierDocuments(L10nCrEinvoiceCommon):
    """Supplier documents from the supplier's own system (its own test certificate and Hacienda
    account at the simulator) to the company's vendor bill and its Mensaje Receptor."""

    simulator_users = (f'{SUPPLIER_USER}:{SUPPLIER_PASSWORD}',)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Received = cls.env['l10n_cr.einvoice.received']
        cls.supplier = SupplierSystem(cls.simulator.url)
        trust_test_pki(cls)
        template = cls.env['account.chart.template'].with_company(cls.company)
        cls.purchase_13 = cls.tax_purchase_13
        cls.purchase_4 = template.ref('l10n_cr_tax_purchase_iva_4')
        cls.purchase_1 = template.ref('l10n_cr_tax_purchase_iva_1')

    def setUp(self):
        super().setUp()
        self.simulator.request('PUT', '/_simulator/faults', {'faults': {}, 'replace': True, 'clear_next': True})

    def accepted_supplier_document(self, lines=(PAPER, COFFEE, SERVICE), **kwargs):
        """The supplier's signed XML, already accepted by Hacienda."""
        xml, built = self.supplier.issue(list(lines), **kwargs)
        answer = self.supplier.submit(xml)
        self.assertEqual(answer.state, 'aceptado', answer.reason)
        return xml, built

    def import_xml(self, xml, filename='factura-proveedor.xml'):
        return self.Received._l10n_cr_import(xml, company=self.company, filename=filename)

    def decide(self, received, decision, **values):
        wizard = self.env['l10n_cr.einvoice.received.decision'].create(
            {'received_id': received.id, 'decision': decision, **values})
        wizard._onchange_tax_condition()
        wizard.action_l10n_cr_confirm()
        return received.message_document_id

    def assert_nothing_imported(self):
        self.assertFalse(self.Received.search([]))
        self.assertFalse(self.env['res.partner'].search([('vat', '=', SUPPLIER_VAT)]))
        self.assertFalse(self.env['account.move'].search([('move_type', 'in', ('in_invoice', 'in_refund'))]))

    # -- importing -------------------------------------------------------------------------

    def test_import_creates_the_bill_with_lines_taxes_and_totals(self):
        xml, built = self.accepted_supplier_document()
        received = self.import_xml(xml)
        supplier = received.supplier_id
        self.assertRecordValues(supplier, [{
            'name': 'Distribuidora El Roble S.A.', 'vat': SUPPLIER_VAT, 'is_company': True,
            'email': 'ventas@elroble.cr', 'l10n_cr_emails': 'ventas@elroble.cr, facturas@elroble.cr',
            'state_id': self.env.ref('base.state_SJ').id, 'l10n_cr_canton_code': '03', 'l10n_cr_district_code': '02',
            'street': '200 metros norte de la iglesia, bodega verde', 'phone': '+506 22881234',
            'supplier_rank': 1, 'l10n_cr_fec': False}])
        self.assertEqual(supplier.l10n_cr_id_type_id.code, '02')
        self.assertRecordValues(received, [{
            'document_type': '01', 'clave': built.clave, 'consecutivo': built.consecutivo,
            'name': f'FE {built.consecutivo}', 'supplier_identification': f'02-{SUPPLIER_VAT}',
            'supplier_activity': '4651.0', 'currency_id': self.env.ref('base.CRC').id, 'exchange_rate': 1.0,
            'amount_untaxed': TOTAL - TAX, 'amount_tax': TAX, 'amount_total': TOTAL, 'amount_total_company': TOTAL,
            'hacienda_state': 'aceptado', 'decision': 'pending', 'source': 'upload', 'hacienda_next_check': False}])
        # signed by a test CA (the supplier's), trusted as the staging stack trusts its own
        self.assertEqual(received.check_warnings, (
            "Signed with a certificate of a test certification authority, not of Costa Rica's national PKI: it is "
            "trusted only because Empresa Demo S.A. works with the Hacienda simulator "
            "(l10n_cr_einvoice_simulator_trust_anchors), and would be refused anywhere else."))
        self.assertIn(SUPPLIER_VAT, received.signer)
        self.assertEqual(received.xml_attachment_id.raw, xml)
        self.assertEqual(etree.QName(etree.fromstring(received.hacienda_response_attachment_id.raw)).localname,
                         'MensajeHacienda')
        self.assertEqual(
            [(t.tax_code, t.iva_rate_code, t.rate, t.base_amount, t.tax_amount) for t in received.tax_line_ids],
            [('01', '02', 1.0, 16000.0, 160.0), ('01', '04', 4.0, 50000.0, 2000.0),
             ('01', '08', 13.0, 22500.0, 2925.0)])

        bill = received.move_id
        self.assertRecordValues(bill, [{
            'move_type': 'in_invoice', 'state': 'draft', 'partner_id': supplier.id, 'ref': built.consecutivo,
            'amount_untaxed': TOTAL - TAX, 'amount_tax': TAX, 'amount_total': TOTAL,
            'l10n_cr_document_type': False, 'l10n_cr_received_id': received.id}])
        self.assertEqual(bill.invoice_date_due - bill.invoice_date, timedelta(days=30))
        # Discounts at full precision (Odoo's import context), so the subtotals are the document's.
        self.assertEqual([(ln.quantity, ln.price_unit, round(ln.discount, 6), ln.tax_ids)
                          for ln in bill.invoice_line_ids], [
            (10.0, 2500.0, 10.0, self.purchase_13), (4.0, 4000.0, 0.0, self.purchase_1),
            (1.0, 50000.0, 0.0, self.purchase_4)])
        self.assertIn('Papel bond carta, resma', bill.invoice_line_ids[0].name)
        self.assertIn(received.xml_attachment_id.name, bill.message_ids.attachment_ids.mapped('name'))

        # Confirming the bill issues nothing: the supplier documented the sale.
        bill.action_post()
        self.assertFalse(bill.l10n_cr_document_ids)

    def test_duplicate_is_refused(self):
        xml, built = self.accepted_supplier_document()
        received = self.import_xml(xml)
        with self.assertRaisesRegex(UserError, f"already imported: FE {built.consecutivo} of Distribuidora El Roble "
                                               f"S.A. \\(clave {built.clave}\\), vendor bill"):
            self.import_xml(xml, filename='copia.xml')
        self.assertEqual(self.Received.search_count([]), 1)
        # The bill deleted, the document may be booked again: the same record gets the new bill.
        received.move_id.unlink()
        again = self.import_xml(xml)
        self.assertEqual(again, received)
        self.assertTrue(again.move_id)

    def test_tampered_document_is_refused(self):
        xml, _built = self.accepted_supplier_document()
        tampered = xml.replace(b'<PrecioUnitario>2500.00000</PrecioUnitario>',
                               b'<PrecioUnitario>2400.00000</PrecioUnitario>')
        self.assertNotEqual(tampered, xml)
        with self.assertRaisesRegex(UserError, "(?s)signature of alterada.xml does not verify.*digest does not match"):
            self.import_xml(tampered, filename='alterada.xml')
        self.assert_nothing_imported()

    def test_document_for_another_company_is_refused(self):
        xml, _built = self.accepted_supplier_document(receptor_vat='3101555444', receptor_name='Otra Empresa S.A.')
        with self.assertRaisesRegex(UserError, "is addressed to Otra Empresa S.A. \\(identification 02-3101555444\\), "
                                               f"not to Empresa Demo S.A. \\({COMPANY_VAT}\\)"):
            self.import_xml(xml)
        self.assert_nothing_imported()

    def test_anonymous_tiquete_is_refused(self):
        xml, _built = self.supplier.issue([COFFEE], doc_type='04', receptor_vat=None, condition='01')
        with self.assertRaisesRegex(UserError, "names no receptor"):
            self.import_xml(xml)

    def test_document_signed_by_another_taxpayer_is_refused(self):
        """The supplier as issuer, but signed with another taxpayer's certificate (the company's own)."""
        xml, _built = self.supplier.issue([PAPER], key=SigningKey.from_pkcs12(company_certificate(), PIN))
        with self.assertRaisesRegex(UserError, f"issued by 02-{SUPPLIER_VAT} but signed with the certificate of "
                                               f"02-{COMPANY_VAT}"):
            self.import_xml(xml)

    def test_document_signed_with_a_self_made_certificate_is_refused(self):
        """Anyone can make a certificate naming the supplier's cédula (here with a CA of their own):
        the signature verifies and the names match, but the chain does not reach Costa Rica's
        national PKI (nor Hacienda's root), so it proves nothing and is refused."""
        forger = SigningKey.from_pkcs12(
            make_test_certificate('02', SUPPLIER_VAT, pin=SUPPLIER_PIN, name='DISTRIBUIDORA EL ROBLE S.A.'), SUPPLIER_PIN)
        xml, _built = self.supplier.issue([PAPER], key=forger)
        self.supplier.submit(xml)  # even "accepted" by a Hacienda that does not check chains
        with self.assertRaisesRegex(UserError, "falsa.xml is signed with a certificate that neither Costa Rica's "
                                               "national certification authorities"):
            self.import_xml(xml, filename='falsa.xml')
        self.assert_nothing_imported()

    def test_test_cas_are_trusted_only_for_companies_on_the_simulator(self):
        """The staging stack's test CA (l10n_cr_einvoice_simulator_trust_anchors) stands in for the
        national PKI for a company working with the simulator, and for no other: a company on
        Hacienda's sandbox (or production) refuses the same document, whatever odoo.conf says."""
        xml, _built = self.accepted_supplier_document()
        self.company.l10n_cr_environment = 'sandbox'
        with self.assertRaisesRegex(UserError, "factura-proveedor.xml is signed with a certificate that neither Costa "
                                               "Rica's national certification authorities"):
            self.import_xml(xml)
        self.assert_nothing_imported()
        self.company.l10n_cr_environment = 'simulator'
        self.assertIn("trusted only because Empresa Demo S.A. works with the Hacienda simulator",
                      self.import_xml(xml).check_warnings)

    def test_unreadable_simulator_trust_anchors_are_named(self):
        xml, _built = self.supplier.issue([PAPER])
        with patch.dict(config.options, {'l10n_cr_einvoice_simulator_trust_anchors': '/nonexistent/test-cas.pem'}), \
                self.assertRaisesRegex(UserError, "trusted for the Hacienda simulator \\(l10n_cr_einvoice_simulator_trust_"
                                                  "anchors = /nonexistent/test-cas.pem\\) cannot be read"):
            self.import_xml(xml)
        self.assert_nothing_imported()

    def test_without_the_national_pki_nothing_is_imported(self):
        xml, _built = self.accepted_supplier_document()
        with patch.dict(config.options, {'l10n_cr_einvoice_pki_dir': '/nonexistent/pki'}), \
                self.assertRaisesRegex(UserError, "national PKI certificates are not available on this server"):
            self.import_xml(xml)
        self.assert_nothing_imported()

    def test_nothing_is_accepted_or_booked_before_hacienda_accepts_it(self):
        xml, _built = self.supplier.issue([PAPER])
        received = self.import_xml(xml)  # the supplier has not sent it to Hacienda yet
        self.assertEqual(received.hacienda_state, 'not_found')
        for decision in ('accepted', 'partially_accepted'):
            with self.assertRaisesRegex(UserError, "Hacienda has not accepted FE .* yet"):
                received.with_context(l10n_cr_decision=decision).action_l10n_cr_decide()
        with self.assertRaisesRegex(UserError, "Hacienda has not accepted FE .* yet"):
            received._l10n_cr_decide('accepted')
        with self.assertRaisesRegex(UserError, "which Hacienda has not accepted \\(Not found\\)"):
            received.move_id.action_post()
        self.assertEqual((received.decision, received.move_id.state), ('pending', 'draft'))

        self.supplier.submit(xml)
        received.action_l10n_cr_check_hacienda()
        self.assertEqual(received.hacienda_state, 'aceptado')
        received.move_id.action_post()
        self.assertEqual(received._l10n_cr_decide('accepted').document_type, '05')

    def test_own_documents_are_refused(self):
        """A Factura de Compra the company issued to an unregistered supplier is not a supplier's document."""
        bill = self.make_invoice(self.supplier_fec, [(self.product_coffee, 10, 3500, self.purchase_1)],
                                 move_type='in_invoice', ref='RE-2026-119')
        own = bill.l10n_cr_document_id
        self.assertEqual(own.document_type, '08')
        with self.assertRaisesRegex(UserError, f"is FEC {own.consecutivo}, which this company issued itself"):
            self.import_xml(own.xml_attachment_id.raw)
        with self.assertRaisesRegex(UserError, "roto.xml is not an XML document that can be read"):
            self.import_xml(b'<not-xml', filename='roto.xml')

    def test_purchase_invoice_issued_elsewhere_in_the_company_name(self):
        """A Factura de Compra the company issued with another system (before this one): signed by the
        company, its supplier is the Emisor; it is booked and needs no Mensaje Receptor."""
        fec = {'FacturaElectronicaCompra': {
            'ProveedorSistemas': COMPANY_VAT,
            'CodigoActividadEmisor': '0111.0',
            'CodigoActividadReceptor': self.company.l10n_cr_activity_id.code,
            'Emisor': {'Nombre': 'Productor Agrícola Rojas', 'Identificacion': {'Tipo': '01', 'Numero': '204560789'},
                       'Ubicacion': {'Provincia': 2, 'Canton': 1, 'Distrito': 1, 'OtrasSenas': 'Finca Los Rojas'}},
            'Receptor': {'Nombre': 'Empresa Demo S.A.', 'Identificacion': {'Tipo': '02', 'Numero': COMPANY_VAT},
                         'CorreoElectronico': 'facturacion@demo.cr'},
            'CondicionVenta': '01',
            'DetalleServicio': {'LineaDetalle': [COFFEE]},
            'ResumenFactura': {'MedioPago': [{'TipoMedioPago': '01'}]},
            'InformacionReferencia': [{'TipoDocIR': '14', 'Numero': 'RE-2026-120', 'FechaEmisionIR': '2026-11-20T12:00:00-06:00',
                                       'Codigo': '04', 'Razon': 'Compra a contribuyente de régimen especial'}],
        }, 'Numeracion': {'Sucursal': 9, 'Terminal': 1, 'Numero': 1}}
        built = build_document(fec)
        xml = sign_xml(built.xml, SigningKey.from_pkcs12(company_certificate(), PIN))
        with HaciendaClient(self.company._l10n_cr_client().config) as client:
            client.submit(xml)
        received = self.import_xml(xml)
        self.assertRecordValues(received, [{'document_type': '08', 'decision': 'accepted', 'amount_total': 16160.0,
                                            'message_document_id': False}])
        self.assertEqual(received.supplier_id.vat, '204560789')
        self.assertEqual(received.supplier_id.l10n_cr_id_type_id.code, '01')
        with self.assertRaisesRegex(UserError, "needs no Mensaje Receptor"):
            received._l10n_cr_decide('accepted')

    def test_state_at_hacienda_followed_until_accepted(self):
        xml, _built = self.supplier.issue([PAPER])
        received = self.import_xml(xml)  # before the supplier sent it
        self.assertEqual(received.hacienda_state, 'not_found')
        self.assertTrue(received.hacienda_next_check)
        self.assertIn('has not sent it', received.hacienda_message)
        self.supplier.submit(xml)
        self.assertFalse(self.Received._l10n_cr_check_due(), "not due yet")
        received.hacienda_next_check = fields.Datetime.now() - timedelta(seconds=1)
        self.assertEqual(self.Received._l10n_cr_check_due(), received)
        self.assertEqual(received.hacienda_state, 'aceptado')
        self.assertFalse(received.hacienda_next_check)

    def test_document_rejected_by_hacienda_can_only_be_rejected(self):
        xml, _built = self.supplier.issue([PAPER])
        self.simulator.faults(next=[{'kind': 'reject', 'endpoint': 'submit'}])
        self.assertEqual(self.supplier.submit(xml).state, 'rechazado')
        received = self.import_xml(xml)
        self.assertEqual(received.hacienda_state, 'rechazado')
        self.assertIn('Rechazo forzado', received.hacienda_message)
        self.assertEqual(received.activity_ids.mapped('summary'), ['Supplier document rejected by Hacienda'])
        with self.assertRaisesRegex(UserError, "it cannot be accepted"):
            received.with_context(l10n_cr_decision='accepted').action_l10n_cr_decide()
        message = self.decide(received, 'rejected', reason='Hacienda rechazó el comprobante')
        self.assertEqual(message.document_type, '07')

    def test_credit_note_in_dollars(self):
        invoice_xml, invoice = self.accepted_supplier_document([SERVICE], currency=('USD', '510.25'))
        self.setup_other_currency('USD', rates=[(fields.Date.today() - timedelta(days=3), 1 / 505.0)])
        xml, _note = self.accepted_supplier_document(
            [line('8714100000000', 'Devolución parcial del mantenimiento', 1, 20, rate_code='04', unit='Sp')],
            doc_type='03', currency=('USD', '510.25'), condition='01',
            references=[{'TipoDocIR': '01', 'Numero': invoice.clave, 'FechaEmisionIR': '2026-11-20T10:00:00-06:00',
                         'Codigo': '04', 'Razon': 'Servicio no prestado en su totalidad'}])
        self.import_xml(invoice_xml)
        received = self.import_xml(xml)
        self.assertRecordValues(received, [{
            'document_type': '03', 'amount_total': 20.8, 'amount_tax': 0.8, 'exchange_rate': 510.25,
            'amount_total_company': round(20.8 * 510.25, 2)}])
        self.assertEqual(received.currency_id.name, 'USD')
        self.assertRecordValues(received.move_id, [{'move_type': 'in_refund', 'amount_total': 20.8,
                                                    'currency_id': received.currency_id.id}])

    def test_missing_purchase_tax_is_explained(self):
        selective = line('2111100000000', 'Bebida', 2, 1000, taxes=[{'Codigo': '02', 'Tarifa': '10'}])
        xml, _built = self.accepted_supplier_document([PAPER, selective])
        with self.assertRaisesRegex(UserError, "(?s)cannot be booked as a vendor bill.*Line 2 \\(Bebida\\): the company "
                                               "has no purchase tax for this line's tax: it needs a purchase tax with "
                                               "Hacienda tax code 02 at 10%"):
            self.import_xml(xml)
        self.assert_nothing_imported()

    def test_other_charges_and_an_existing_supplier(self):
        partner = self.env['res.partner'].create({
            'name': 'El Roble (proveedor)', 'vat': '3-101-987654', 'l10n_cr_fec': True,
            'country_id': self.env.ref('base.cr').id})
        xml, _built = self.accepted_supplier_document(
            [SERVICE], other_charges=[{'TipoDocumentoOC': '06', 'Detalle': 'Impuesto de servicio 10%',
                                       'PorcentajeOC': '10'}])
        received = self.import_xml(xml)
        self.assertEqual(received.supplier_id, partner)
        bill = received.move_id
        self.assertEqual(bill.invoice_line_ids[-1].name, 'Other charge: Impuesto de servicio 10%')
        self.assertEqual(bill.invoice_line_ids[-1].price_subtotal, 5000.0)
        self.assertEqual(received.amount_total, 57000.0)
        self.assertEqual(bill.amount_total, 57000.0)
        # The supplier invoices electronically: its bill never issues a Factura de Compra.
        bill.action_post()
        self.assertFalse(bill.l10n_cr_document_ids)

    # -- answering: the Mensaje Receptor ---------------------------------------------------

    def test_accept_sends_the_mensaje_receptor(self):
        xml, built = self.accepted_supplier_document()
        received = self.import_xml(xml)
        message = self.decide(received, 'accepted')
        self.assertRecordValues(message, [{
            'document_type': '05', 'state': 'to_send', 'received_id': received.id, 'clave': built.clave,
            'consecutivo': '00100001050000000001', 'partner_id': received.supplier_id.id, 'move_id': False}])
        self.assertRecordValues(received, [{
            'decision': 'accepted', 'tax_condition': '01', 'amount_tax_credit': TAX, 'amount_expense': 0.0}])
        tree = self.signed_tree(message)
        self.assertEqual(etree.QName(tree).localname, 'MensajeReceptor')
        self.assertEqual(
            {name: text(tree, name) for name in (
                'Clave', 'NumeroCedulaEmisor', 'Mensaje', 'MontoTotalImpuesto', 'CodigoActividad', 'CondicionImpuesto',
                'MontoTotalImpuestoAcreditar', 'TotalFactura', 'NumeroCedulaReceptor', 'NumeroConsecutivoReceptor')},
            {'Clave': built.clave, 'NumeroCedulaEmisor': SUPPLIER_VAT, 'Mensaje': '1', 'MontoTotalImpuesto': '5085.00000',
             'CodigoActividad': self.company.l10n_cr_activity_id.code, 'CondicionImpuesto': '01',
             'MontoTotalImpuestoAcreditar': '5085.00000', 'TotalFactura': '93585.00000',
             'NumeroCedulaReceptor': COMPANY_VAT, 'NumeroConsecutivoReceptor': '00100001050000000001'})
        self.assertTrue(message.xml_attachment_id.name.endswith(f'{built.clave}-00100001050000000001.xml'))

        before = self.simulator_totals()['documents']
        self.process_queue()
        self.assertEqual(message.state, 'accepted', message.error_message)
        self.assertEqual(received.message_state, 'accepted')
        self.assertEqual(self.simulator_totals()['documents'], before + 1)
        answer = etree.fromstring(message.response_attachment_id.raw)
        self.assertEqual(text(answer, 'Clave'), built.clave)
        self.assertFalse(message.email_sent, "a message to Hacienda is not e-mailed")
        for record in (received, received.move_id):
            self.assertTrue(any('Accepted by Hacienda' in body for body in record.message_ids.mapped('body')))
        with self.assertRaisesRegex(UserError, "was already answered with CCE 00100001050000000001"):
            received._l10n_cr_decide('rejected', reason='Cambio de opinión')

    def test_billing_user_imports_and_answers(self):
        """A billing user (no access to the certificate or the API password) imports and accepts."""
        billing = self.env['res.users'].create({
            'name': 'Contadora', 'login': 'contadora.proveedores', 'email': 'contadora@demo.cr',
            'company_id': self.company.id, 'company_ids': [Command.set(self.company.ids)],
            'group_ids': [Command.set(self.env.ref('account.group_account_invoice').ids)],
        })
        xml, _built = self.accepted_supplier_document()
        received = self.Received.with_user(billing)._l10n_cr_import(xml, company=self.company, filename='f.xml')
        self.assertEqual(received.hacienda_state, 'aceptado')
        self.assertEqual(received.user_id, billing)
        message = received._l10n_cr_decide('accepted')
        self.assertEqual(message.document_type, '05')
        self.process_queue()
        self.assertEqual(message.state, 'accepted')

    def test_partial_acceptance_and_rejection_have_their_own_numbering(self):
        xml_a, _a = self.accepted_supplier_document()
        xml_b, _b = self.accepted_supplier_document([PAPER])
        partial, rejected = self.import_xml(xml_a), self.import_xml(xml_b, filename='otra.xml')
        with self.assertRaisesRegex(UserError, "Say why"):
            partial._l10n_cr_decide('partially_accepted')
        with self.assertRaisesRegex(UserError, "between 0 and the document's VAT"):
            partial._l10n_cr_decide('partially_accepted', reason='Faltó una resma', tax_condition='02',
                                    amount_tax_credit=TAX + 1)
        message_06 = self.decide(partial, 'partially_accepted', reason='Faltó una resma de papel',
                                 tax_condition='02', amount_tax_credit=3000.0)
        message_07 = self.decide(rejected, 'rejected', reason='Los precios no corresponden a la orden de compra')
        self.assertEqual((message_06.consecutivo, message_07.consecutivo),
                         ('00100001060000000001', '00100001070000000001'))
        self.assertRecordValues(partial, [{'decision': 'partially_accepted', 'tax_condition': '02',
                                           'amount_tax_credit': 3000.0, 'amount_expense': TAX - 3000.0}])
        self.assertEqual(text(self.signed_tree(message_06), 'MontoTotalDeGastoAplicable'), '2085.00000')
        tree_07 = self.signed_tree(message_07)
        self.assertEqual((text(tree_07, 'Mensaje'), text(tree_07, 'DetalleMensaje'), text(tree_07, 'CondicionImpuesto')),
                         ('3', 'Los precios no corresponden a la orden de compra', None))
        self.assertEqual(rejected.move_id.state, 'cancel', "the rejected document's draft bill is cancelled")
        self.process_queue()
        self.assertEqual((message_06.state, message_07.state), ('accepted', 'accepted'))

    def test_message_rejected_by_hacienda_is_decided_again(self):
        xml, built = self.accepted_supplier_document()
        received = self.import_xml(xml)
        first = self.decide(received, 'accepted')
        self.simulator.faults(next=[{'kind': 'reject', 'endpoint': 'submit'}])
        self.process_queue()
        self.assertEqual(first.state, 'rejected')
        self.assertIn('decide again on the supplier document', first.error_message)
        self.assertEqual(received.activity_ids.mapped('summary'), ['Rejected by Hacienda'])
        second = self.decide(received, 'accepted')
        self.assertRecordValues(second, [{'clave': built.clave, 'consecutivo': '00100001050000000002',
                                          'replaced_document_id': first.id}])
        self.process_queue()
        self.assertEqual(second.state, 'accepted')
        self.assertEqual(received.message_document_ids, first | second)

    # -- the ways in: upload and the journal's e-mail alias ----------------------------------

    def test_upload_wizard_imports_each_file_on_its_own(self):
        good, _built = self.accepted_supplier_document()
        tampered = good.replace(b'Papel bond', b'Papel Bond')
        attachments = self.env['ir.attachment'].create([
            {'name': 'buena.xml', 'raw': good}, {'name': 'alterada.xml', 'raw': tampered}])
        wizard = self.env['l10n_cr.einvoice.received.upload'].create({'attachment_ids': [Command.set(attachments.ids)]})
        result = wizard.action_l10n_cr_import()
        self.assertEqual(result['params']['title'], '1 imported, 1 refused')
        self.assertIn('signature of alterada.xml does not verify', result['params']['message'])
        self.assertEqual(self.Received.search([]).move_id.journal_id, self.company_data['default_journal_purchase'])

    def email_with(self, attachments, to):
        """A supplier's e-mail with ``attachments`` [(name, mimetype, bytes)], as the mail gateway gets it."""
        boundary = uuid.uuid4().hex
        parts = [textwrap.dedent(f"""\
            --{boundary}
            Content-Type: {mimetype}
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="{name}"

            {base64.b64encode(raw).decode()}
            """) for name, mimetype, raw in attachments]
        return textwrap.dedent(f"""\
            MIME-Version: 1.0
            Date: Fri, 27 Nov 2026 09:30:00 -0600
            Message-ID: <{uuid.uuid4()}@elroble.cr>
            Subject: Factura electronica {SUPPLIER_VAT}
            From: Facturas El Roble <facturas@elroble.cr>
            To: {to}
            Content-Type: multipart/mixed; boundary="{boundary}"

            --{boundary}
            Content-Type: text/plain; charset="UTF-8"

            Adjuntamos la factura electronica.
            """) + ''.join(parts) + f"--{boundary}--\n"

    def test_purchase_journal_mail_alias(self):
        journal = self.company_data['default_journal_purchase']
        xml, built = self.accepted_supplier_document()
        hacienda_answer = self.supplier_answer(built.clave)
        email = self.email_with([(f'FE-{built.clave}.xml', 'application/xml', xml),
                                 (f'MH-{built.clave}.xml', 'application/xml', hacienda_answer)],
                                to=journal.alias_id.display_name)
        self.env['mail.thread'].message_process(
            'account.move', email, custom_values={'move_type': 'in_invoice', 'journal_id': journal.id})
        received = self.Received.search([('clave', '=', built.clave)])
        self.assertEqual(received.source, 'email')
        self.assertRecordValues(received.move_id, [{'journal_id': journal.id, 'amount_total': TOTAL,
                                                    'partner_id': received.supplier_id.id}])

        # The same e-mail again: the new draft bill says why it stayed empty.
        with mute_logger('odoo.addons.account.models.account_document_import_mixin'):
            self.env['mail.thread'].message_process(
                'account.move', email.replace('Message-ID: <', 'Message-ID: <again-'),
                custom_values={'move_type': 'in_invoice', 'journal_id': journal.id})
        duplicate = self.env['account.move'].search([('move_type', '=', 'in_invoice')], order='id desc', limit=1)
        self.assertNotEqual(duplicate, received.move_id)
        self.assertFalse(duplicate.invoice_line_ids)
        self.assertTrue(any('was already imported' in body for body in duplicate.message_ids.mapped('body')))

    def supplier_answer(self, clave):
        """Hacienda's answer to the supplier (suppliers forward it with the document)."""
        with HaciendaClient(self.supplier.config) as client:
            return client.status(clave).respuesta_xml
