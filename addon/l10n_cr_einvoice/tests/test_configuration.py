import base64
import tempfile
from datetime import datetime, timedelta, timezone
from unittest.mock import patch

from freezegun import freeze_time
from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import config

from hacienda_cr.signing import make_test_certificate, verify_xml
from hacienda_cr.signing.testcert import issue_test_certificate, pack_pkcs12

from .common import PIN, WRONG_PASSWORD, L10nCrEinvoiceCommon, company_certificate


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestConfiguration(L10nCrEinvoiceCommon):
    """What must be right before anything is sent, and what the user is told when it is not.
    Every problem stops the posting: the invoice stays a draft, no consecutivo is used."""

    def certificate_record(self, content, pin=PIN):
        return self.env['certificate.certificate'].sudo().create({
            'name': 'prueba', 'content': base64.b64encode(content), 'pkcs12_password': pin,
            'scope': 'l10n_cr_einvoice', 'company_id': self.company.id})

    def draft_invoice(self, partner=None, product=None):
        return self.make_invoice(partner or self.partner_cr, [(product or self.product_laptop, 1, 1000)], post=False)

    def assert_no_gap(self):
        """After refused postings, the next document still gets number 1."""
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)])
        self.assertEqual(move.l10n_cr_document_id.number, 1)

    # -- certificate ------------------------------------------------------------------------

    def test_wrong_pin(self):
        p12 = make_test_certificate('02', '3101123456', pin='1111')
        with self.assertRaisesRegex(ValidationError, 'the PIN is wrong for this certificate'):
            self.company.l10n_cr_set_certificate(base64.b64encode(p12), '2222')
        with self.assertRaisesRegex(ValidationError, 'cannot be used: the PIN is wrong for this certificate'):
            self.certificate_record(p12, pin='2222')
        # A certificate saved before it was checked (an older version) still stops the posting.
        certificate = self.certificate_record(p12, pin='1111')
        self.env.cr.execute("UPDATE certificate_certificate SET pkcs12_password = '2222' WHERE id = %s",
                            [certificate.id])
        certificate.invalidate_recordset()
        self.company.l10n_cr_certificate_id = certificate
        self.assert_posting_refused(self.draft_invoice(), 'cannot be used', 'the PIN is wrong')
        self.assert_no_gap_after_fix()

    def assert_no_gap_after_fix(self):
        """With the company's good certificate back, the first document is still number 1."""
        self.company.l10n_cr_set_certificate(base64.b64encode(company_certificate()), PIN)
        self.assert_no_gap()

    def test_expired_certificate(self):
        start = datetime.now(timezone.utc) - timedelta(days=400)
        key, cert, ca = issue_test_certificate('02', '3101123456', days=30, not_before=start)
        p12 = pack_pkcs12(key, cert, ca, PIN, friendly_name='vencido')
        with self.assertRaisesRegex(ValidationError, 'the certificate expired on .*: upload the current one'):
            self.certificate_record(p12)
        with freeze_time(start + timedelta(days=10)):  # saved while it was valid
            certificate = self.certificate_record(p12)
        self.company.l10n_cr_certificate_id = certificate
        self.assert_posting_refused(self.draft_invoice(), 'the certificate expired on')
        self.assert_no_gap_after_fix()

    def test_corrupt_certificate(self):
        garbage = b'0\x82\x05\x00' + bytes(range(200))
        with self.assertRaisesRegex(ValidationError, 'not a .p12 certificate'):
            self.company.l10n_cr_set_certificate(base64.b64encode(garbage), PIN)
        with self.assertRaisesRegex(ValidationError, 'not a .p12 certificate'):
            self.certificate_record(garbage)

    def test_certificate_of_another_taxpayer(self):
        p12 = make_test_certificate('02', '3101999999', pin=PIN)
        self.company.l10n_cr_set_certificate(base64.b64encode(p12), PIN)
        self.assert_posting_refused(self.draft_invoice(), 'belongs to identification 3101999999')

    def test_missing_certificate_and_configuration(self):
        self.company.sudo().write({'l10n_cr_certificate_id': False, 'l10n_cr_activity_id': False})
        message = self.assert_posting_refused(self.draft_invoice(), 'not fully configured')
        self.assertIn('signing certificate', message)
        self.assertIn('economic activity', message)

    def test_missing_schemas(self):
        """Without Hacienda's XSDs nothing is issued, and the administrator is told where to set them."""
        with tempfile.TemporaryDirectory() as empty, \
                patch.dict(config.options, {'l10n_cr_einvoice_schema_dir': empty}):
            self.assert_posting_refused(
                self.draft_invoice(), "Hacienda's XSD schemas are not available", 'l10n_cr_einvoice_schema_dir')
        self.assert_no_gap()

    def test_only_accounting_administrators_see_the_secrets(self):
        billing = self.env['res.users'].create({
            'name': 'Facturación', 'login': 'facturacion-cr',
            'company_id': self.company.id, 'company_ids': [Command.set(self.company.ids)],
            'group_ids': [Command.set(self.env.ref('account.group_account_invoice').ids)],
        })
        company = self.company.with_user(billing)
        with self.assertRaises(AccessError):
            company.l10n_cr_password  # noqa: B018 - reading is what is refused
        with self.assertRaises(AccessError):
            self.env['certificate.certificate'].with_user(billing).search([])
        with self.assertRaises(UserError):
            company.l10n_cr_set_certificate(base64.b64encode(b'x'), PIN)
        # ...yet they post, sign and send: the module reads the secrets itself.
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)], post=False).with_user(billing)
        move.action_post()
        document = move.l10n_cr_document_id
        self.assertTrue(document.xml_attachment_id)
        with self.assertRaises(AccessError):
            document.write({'state': 'accepted'})
        move.action_l10n_cr_send_now()
        self.assertEqual(document.state, 'accepted')

    # -- master data -------------------------------------------------------------------------

    def test_missing_cabys(self):
        message = self.assert_posting_refused(self.draft_invoice(product=self.product_no_cabys), 'has no CABYS code')
        self.assertIn('Producto sin CABYS', message)
        self.assert_no_gap()

    def test_partner_identification_rules(self):
        with self.assertRaisesRegex(ValidationError, 'not valid for Hacienda'):
            self.env['res.partner'].create({'name': 'Mal', 'vat': '12345',
                                            'l10n_cr_id_type_id': self.code('identification_types', '01').id})
        with self.assertRaisesRegex(ValidationError, 'not valid for Hacienda'):
            self.partner_cr.l10n_cr_id_type_id = self.code('identification_types', '01')
        guessed = self.env['res.partner'].create({'name': 'Persona Física', 'vat': '109870654'})
        self.assertEqual(guessed.l10n_cr_id_type_id.code, '01')
        with self.assertRaisesRegex(ValidationError, 'At most 4'):
            self.partner_cr.l10n_cr_emails = 'a@x.cr, b@x.cr, c@x.cr, d@x.cr, e@x.cr'
        with self.assertRaisesRegex(ValidationError, 'Not an e-mail'):
            self.partner_cr.l10n_cr_emails = 'facturas(at)x.cr'

    def test_factura_for_a_customer_without_identification(self):
        move = self.draft_invoice(partner=self.partner_anonymous)
        self.assertEqual(move.l10n_cr_document_type, '04')
        move.l10n_cr_document_type = '01'
        self.assert_posting_refused(move, 'needs an identification')
        self.assert_no_gap()

    def test_tax_codes_must_match_the_rate(self):
        with self.assertRaisesRegex(ValidationError, 'VAT rate code 04 is 4'):
            self.tax_13.l10n_cr_iva_rate_code_id = self.code('iva_rate_codes', '04')
        with self.assertRaisesRegex(ValidationError, 'needs a VAT rate code'):
            self.env['account.tax'].create({'name': 'IVA sin código', 'amount': 13,
                                            'l10n_cr_tax_code_id': self.code('tax_codes', '01').id})

    def test_chart_taxes_carry_hacienda_codes(self):
        self.assertEqual((self.tax_13.l10n_cr_tax_code_id.code, self.tax_13.l10n_cr_iva_rate_code_id.code), ('01', '08'))
        self.assertEqual(self.tax_4.l10n_cr_iva_rate_code_id.code, '04')
        self.assertEqual(self.tax_exempt.l10n_cr_iva_rate_code_id.code, '10')
        self.assertTrue(self.tax_exonerated.l10n_cr_exonerated)
        self.assertEqual(self.tax_purchase_13.l10n_cr_iva_rate_code_id.code, '08')

    def test_exonerated_line_needs_the_document(self):
        move = self.make_invoice(self.partner_cr, [(self.product_service, 1, 1000, self.tax_exonerated)], post=False)
        self.assertFalse(move.invoice_line_ids.l10n_cr_exoneration_id)
        self.assert_posting_refused(move, 'no exoneration document')

    # -- connection --------------------------------------------------------------------------

    def test_connection_test(self):
        result = self.company.action_l10n_cr_test_connection()
        self.assertEqual(result['params']['type'], 'success')
        self.assertIn('Connected to Simulator', result['params']['message'])
        self.company.l10n_cr_password = WRONG_PASSWORD
        with self.assertRaisesRegex(UserError, 'Hacienda refused the connection'):
            self.company.action_l10n_cr_test_connection()

    def test_connection_test_reports_what_is_missing(self):
        self.company.l10n_cr_activity_id = False
        result = self.company.action_l10n_cr_test_connection()
        self.assertEqual(result['params']['type'], 'warning')
        self.assertIn('economic activity', result['params']['message'])

    def test_settings_form_writes_the_company(self):
        settings = self.env['res.config.settings'].create({})
        self.assertEqual(settings.l10n_cr_environment, 'simulator')
        settings.l10n_cr_email = 'fe@demo.cr'
        settings.execute()
        self.assertEqual(self.company._l10n_cr_emails(), ['fe@demo.cr'])

    def test_each_company_its_own_numbering_and_key(self):
        """A second company signs with its own certificate and counts its own consecutivos."""
        other = self.setup_other_company(name='Otra Empresa S.A.')['company']
        self.setup_cr_company(other, name='Otra Empresa S.A.', vat='3101999999',
                              p12=make_test_certificate('02', '3101999999', pin=PIN, name='OTRA EMPRESA S.A.'))
        self.env.user.company_ids |= other
        mine = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)])
        theirs = self.env['account.move'].with_company(other).create({
            'move_type': 'out_invoice', 'partner_id': self.partner_cr.id,
            'invoice_line_ids': [Command.create({'product_id': self.product_laptop.id, 'price_unit': 1000,
                                                 'tax_ids': [Command.set(other.account_sale_tax_id.ids)]})],
        })
        theirs.action_post()
        for move, vat in ((mine, '3101123456'), (theirs, '3101999999')):
            document = move.l10n_cr_document_id
            self.assertEqual(document.number, 1)
            self.assertEqual(document.company_id, move.company_id)
            self.assertEqual(verify_xml(document.xml_attachment_id.raw).taxpayer_id[1], vat)

    def test_install_hook_completes_existing_charts(self):
        """Companies that had the CR chart before the module get the codes and the extra taxes."""
        from odoo.addons.l10n_cr_einvoice.hooks import _l10n_cr_einvoice_post_init

        self.tax_13.write({'l10n_cr_tax_code_id': False, 'l10n_cr_iva_rate_code_id': False})
        self.tax_4.unlink()
        _l10n_cr_einvoice_post_init(self.env)
        self.assertEqual((self.tax_13.l10n_cr_tax_code_id.code, self.tax_13.l10n_cr_iva_rate_code_id.code), ('01', '08'))
        template = self.env['account.chart.template'].with_company(self.company)
        restored = template.ref('l10n_cr_tax_sale_iva_4')
        self.assertEqual((restored.amount, restored.l10n_cr_iva_rate_code_id.code), (4.0, '04'))

    def test_drafts_from_before_enabling(self):
        self.company.l10n_cr_enabled = False
        move = self.draft_invoice()
        self.assertFalse(move.l10n_cr_document_type)
        self.company.l10n_cr_enabled = True
        move.action_post()
        self.assertEqual(move.l10n_cr_document_id.document_type, '01')
        old = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)], post=False)
        self.company.l10n_cr_enabled = False
        old.action_post()
        self.assertFalse(old.l10n_cr_document_ids, "nothing is issued while e-invoicing is off")
