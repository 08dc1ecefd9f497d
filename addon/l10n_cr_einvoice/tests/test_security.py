"""Who may do what (issue 13): private keys stay with the Hacienda certificates, document actions
only for users who may act on the documents' sources, Hacienda's URLs for administrators, and
Hacienda's answers checked against Hacienda's certificate when one is configured."""

import base64
import re
import tempfile
from pathlib import Path
from unittest.mock import patch

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import config

from hacienda_cr.signing import SigningKey, make_test_certificate

from .common import DS, PIN, L10nCrEinvoiceCommon, company_certificate


@tagged('post_install_l10n', 'post_install', '-at_install')
class TestSecurity(L10nCrEinvoiceCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Users = cls.env['res.users'].with_context(no_reset_password=True)
        base = {'company_id': cls.company.id, 'company_ids': [Command.set(cls.company.ids)]}
        cls.manager = Users.create({**base, 'name': 'Jefa contable', 'login': 'jefa-contable-cr',
                                    'group_ids': [Command.set(cls.env.ref('account.group_account_manager').ids)]})
        cls.billing = Users.create({**base, 'name': 'Facturadora', 'login': 'facturadora-cr',
                                    'group_ids': [Command.set(cls.env.ref('account.group_account_invoice').ids)]})
        cls.portal = Users.create({**base, 'name': 'Cliente portal', 'login': 'cliente-portal-cr',
                                   'partner_id': cls.partner_cr.id,
                                   'group_ids': [Command.set(cls.env.ref('base.group_portal').ids)]})
        pos_group = cls.env.ref('point_of_sale.group_pos_user', raise_if_not_found=False)
        cls.pos_user = Users.create({**base, 'name': 'Cajero', 'login': 'cajero-cr', 'group_ids': [Command.set(
            (pos_group or cls.env.ref('base.group_user')).ids)]})

    # -- 5: private keys ------------------------------------------------------------------------

    def test_accounting_managers_see_only_the_keys_of_hacienda_certificates(self):
        other = self.env['certificate.certificate'].create({
            'name': 'Llave de otro módulo', 'company_id': self.company.id,
            'content': base64.b64encode(make_test_certificate('02', '3101999999', pin=PIN)), 'pkcs12_password': PIN})
        self.assertTrue(other.private_key_id)
        own_key = self.company.sudo().l10n_cr_certificate_id.private_key_id
        self.assertTrue(own_key)
        Keys = self.env['certificate.key'].with_user(self.manager)
        self.assertEqual(Keys.search([]), own_key.with_user(self.manager))
        with self.assertRaises(AccessError):
            other.private_key_id.with_user(self.manager).read(['pem_key'])
        with self.assertRaises(AccessError):
            other.private_key_id.with_user(self.manager).unlink()
        # They still manage the company's signing certificate through the form (its key is created
        # with it), and the module signs with it.
        uploaded = self.env['certificate.certificate'].with_user(self.manager).with_context(
            default_scope='l10n_cr_einvoice', default_company_id=self.company.id).create({
                'name': 'Nueva llave', 'content': base64.b64encode(company_certificate()), 'pkcs12_password': PIN})
        self.assertTrue(uploaded.private_key_id.pem_key)
        self.assertIn(uploaded.private_key_id, Keys.search([]))

    # -- 6: document actions ------------------------------------------------------------------

    def test_users_who_cannot_change_the_invoice_cannot_act_on_its_document(self):
        move = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)])
        document = move.l10n_cr_document_id
        before = self.simulator_totals()['documents']
        for user in (self.portal, self.pos_user):
            as_user = document.with_user(user)
            for action in ('action_l10n_cr_send_now', 'action_l10n_cr_check_status', 'action_l10n_cr_sign',
                           'action_l10n_cr_validate'):
                with self.subTest(user=user.login, action=action), self.assertRaises(AccessError):
                    getattr(as_user, action)()
        with self.assertRaises(AccessError):
            move.with_user(self.portal).action_l10n_cr_send_now()
        self.assertEqual(document.state, 'to_send')
        self.assertEqual(self.simulator_totals()['documents'], before, "nothing reached Hacienda")
        # A billing user may: the invoice is theirs to change.
        document.with_user(self.billing).action_l10n_cr_send_now()
        self.assertEqual(document.state, 'accepted')

    def test_portal_users_cannot_ask_hacienda_about_supplier_documents(self):
        received = self.env['l10n_cr.einvoice.received'].create({
            'company_id': self.company.id, 'clave': '5' * 50, 'document_type': '01',
            'supplier_id': self.partner_cr.id, 'currency_id': self.company.currency_id.id})
        for action in ('action_l10n_cr_check_hacienda', 'action_l10n_cr_accept_selected'):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(received.with_user(self.portal), action)()
        self.assertEqual(received.hacienda_check_count, 0)

    # -- 7: Hacienda's URLs -------------------------------------------------------------------

    def test_hacienda_urls_are_for_administrators(self):
        company = self.company.with_user(self.billing)
        for field in ('l10n_cr_api_url', 'l10n_cr_idp_url'):
            with self.subTest(field=field), self.assertRaises(AccessError):
                company.read([field])
        self.assertEqual(self.company.with_user(self.manager).l10n_cr_api_url, False)

    # -- 4: Hacienda's answers ----------------------------------------------------------------

    def answer_signer(self, document):
        """The certificate in the signature of Hacienda's answer to ``document`` (the simulator's)."""
        answer = etree.fromstring(document.response_attachment_id.raw)
        der = base64.b64decode(answer.findtext(f'.//{{{DS}}}X509Certificate'))
        return x509.load_der_x509_certificate(der)

    def configure_hacienda_certificate(self, pem):
        path = Path(tempfile.mkdtemp()) / 'hacienda.pem'
        path.write_bytes(pem)
        self.addCleanup(path.unlink)
        patcher = patch.dict(config.options, {'l10n_cr_einvoice_hacienda_certificates': str(path)})
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_answers_not_signed_by_the_configured_hacienda_certificate_are_not_taken(self):
        first = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)]).l10n_cr_document_id
        self.process_queue()
        self.assertEqual(first.state, 'accepted')
        simulator_cert = self.answer_signer(first).public_bytes(Encoding.PEM)

        not_hacienda = SigningKey.from_pkcs12(company_certificate(), PIN).certificate
        self.configure_hacienda_certificate(not_hacienda.public_bytes(Encoding.PEM))
        forged = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)]).l10n_cr_document_id
        self.process_queue()
        self.assertRecordValues(forged, [{'state': 'error', 'error_kind': 'hacienda'}])
        self.assertRegex(forged.error_message, re.compile("not signed by Hacienda's certificate.*not one of the "
                                                          "trusted certificates", re.S))

        self.configure_hacienda_certificate(simulator_cert)
        genuine = self.make_invoice(self.partner_cr, [(self.product_laptop, 1, 1000)]).l10n_cr_document_id
        self.process_queue()
        self.assertEqual(genuine.state, 'accepted', genuine.error_message)
